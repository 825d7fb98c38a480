// The kind cluster configuration `make kind-up` creates the cluster from: the users'
// kind-config.yaml, unchanged in what it says, plus what this host needs. It is written beside
// the state (.testbed/kind/kind-config.yaml), never into the users' file:
// - offline, every node runs the locally built node image, and kubeadm takes its images from
//   the repository they were built under (imageRepository), not from registry.k8s.io;
// - on a cgroup v1 host, the kubelet is told to run anyway (1.35 refuses v1 by default), and
//   the kubelet and containerd manage cgroups themselves (cgroupfs) instead of through systemd:
//   on v1, runc's systemd driver freezes every new container while systemd rewrites its device
//   rules, and on a busy host the freeze times out ("unable to freeze"), failing pod starts;
// - where the host's capability bounding set lacks CAP_SYS_RESOURCE, containerd is told not to
//   raise a container's oom_score_adj (runc would fail to write it for every pod sandbox).
import { parse, stringify } from 'yaml';

/** What the host needs from the cluster configuration. */
export interface KindHostNeeds {
  /** The node image to run instead of kind's published one (no registry answers). */
  offlineNodeImage?: string | undefined;
  /** Where kubeadm finds its images then (`<repository>/kube-apiserver:<version>`, ...). */
  offlineImageRepository?: string | undefined;
  /** etcd's tag in that repository (kubeadm's default tag names another etcd release). */
  offlineEtcdTag?: string | undefined;
  cgroupV1: boolean;
  restrictOomScoreAdj: boolean;
}

interface KindNode {
  role?: string;
  image?: string;
  [key: string]: unknown;
}

interface KindConfig {
  kind?: string;
  nodes?: KindNode[];
  kubeadmConfigPatches?: string[];
  containerdConfigPatches?: string[];
  [key: string]: unknown;
}

/** The users' kind configuration (YAML text) with this host's needs added, as YAML text. */
export function kindClusterConfig(usersConfig: string, needs: KindHostNeeds): string {
  const config = parse(usersConfig) as KindConfig | null;
  if (!config || config.kind !== 'Cluster' || typeof config !== 'object') {
    throw new Error('the kind configuration is not a kind Cluster (kind: Cluster)');
  }
  const nodes = config.nodes?.length ? config.nodes : [{ role: 'control-plane' }];
  const kubeadm = [...(config.kubeadmConfigPatches ?? [])];
  const containerd = [...(config.containerdConfigPatches ?? [])];
  if (needs.offlineNodeImage) {
    for (const node of nodes) node.image = needs.offlineNodeImage;
  }
  if (needs.offlineImageRepository) {
    const cluster: Record<string, unknown> = {
      kind: 'ClusterConfiguration',
      imageRepository: needs.offlineImageRepository,
    };
    if (needs.offlineEtcdTag) cluster.etcd = { local: { imageTag: needs.offlineEtcdTag } };
    kubeadm.push(stringify(cluster));
  }
  if (needs.cgroupV1) {
    kubeadm.push(
      stringify({ kind: 'KubeletConfiguration', failCgroupV1: false, cgroupDriver: 'cgroupfs' }),
    );
    containerd.push(
      '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = false\n',
    );
  }
  if (needs.restrictOomScoreAdj) {
    containerd.push('[plugins."io.containerd.grpc.v1.cri"]\n  restrict_oom_score_adj = true\n');
  }
  const out: KindConfig = { ...config, nodes };
  if (kubeadm.length) out.kubeadmConfigPatches = kubeadm;
  if (containerd.length) out.containerdConfigPatches = containerd;
  return stringify(out);
}

// kindClusterConfig: the users' kind-config.yaml plus what this host needs, and nothing more.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { findRepoRoot } from '../src/index.ts';
import { kindClusterConfig } from '../src/kind-cluster-config.ts';

interface Config {
  name: string;
  nodes: { role: string; image: string; extraPortMappings?: unknown[]; labels?: unknown }[];
  kubeadmConfigPatches?: string[];
  containerdConfigPatches?: string[];
}

const usersText = readFileSync(join(findRepoRoot(), 'kind-config.yaml'), 'utf8');
const users = parse(usersText) as Config;
const normalHost = { cgroupV1: false, restrictOomScoreAdj: false };

describe('kindClusterConfig', () => {
  it('When the host needs nothing and a registry answers, then the cluster is the users’ config as it is', () => {
    assert.deepEqual(parse(kindClusterConfig(usersText, normalHost)), users);
  });

  it('When no registry answers, then every node runs the local node image and kubeadm pulls from the local repository', () => {
    const config = parse(
      kindClusterConfig(usersText, {
        ...normalHost,
        offlineNodeImage: 'docker.io/shoal-offline/kind-node:v1.35.4',
        offlineImageRepository: 'docker.io/shoal-offline',
        offlineEtcdTag: 'v3.6.16',
      }),
    ) as Config;
    assert.equal(config.nodes.length, users.nodes.length);
    for (const node of config.nodes) {
      assert.equal(node.image, 'docker.io/shoal-offline/kind-node:v1.35.4');
    }
    // What the users' file says about the nodes stays: roles, labels, the port mappings.
    assert.deepEqual(
      config.nodes.map(({ role, labels, extraPortMappings }) => ({
        role,
        labels,
        extraPortMappings,
      })),
      users.nodes.map(({ role, labels, extraPortMappings }) => ({
        role,
        labels,
        extraPortMappings,
      })),
    );
    const [patch] = config.kubeadmConfigPatches ?? [];
    assert.deepEqual(parse(patch ?? ''), {
      kind: 'ClusterConfiguration',
      imageRepository: 'docker.io/shoal-offline',
      etcd: { local: { imageTag: 'v3.6.16' } },
    });
    assert.equal(config.containerdConfigPatches, undefined);
  });

  it('When the host is on cgroup v1 and lacks CAP_SYS_RESOURCE, then the kubelet and containerd patches are added, nothing else', () => {
    const config = parse(
      kindClusterConfig(usersText, { cgroupV1: true, restrictOomScoreAdj: true }),
    ) as Config;
    assert.deepEqual(config.nodes, users.nodes);
    assert.deepEqual(
      (config.kubeadmConfigPatches ?? []).map((text) => parse(text) as unknown),
      [{ kind: 'KubeletConfiguration', failCgroupV1: false, cgroupDriver: 'cgroupfs' }],
    );
    const containerd = config.containerdConfigPatches ?? [];
    assert.equal(containerd.length, 2);
    assert.match(containerd[0] ?? '', /runtimes\.runc\.options\]\s+SystemdCgroup = false/);
    assert.match(containerd[1] ?? '', /restrict_oom_score_adj = true/);
  });

  it('When the users’ config has patches of its own, then they are kept and ours come after', () => {
    const withPatch = `${usersText}\nkubeadmConfigPatches:\n  - |\n    kind: InitConfiguration\n`;
    const config = parse(
      kindClusterConfig(withPatch, { cgroupV1: true, restrictOomScoreAdj: false }),
    ) as Config;
    assert.equal(config.kubeadmConfigPatches?.length, 2);
    assert.match(config.kubeadmConfigPatches?.[0] ?? '', /InitConfiguration/);
  });

  it('When the file is not a kind Cluster, then it is refused with a message naming what is expected', () => {
    assert.throws(() => kindClusterConfig('kind: Pod\n', normalHost), /kind: Cluster/);
  });
});

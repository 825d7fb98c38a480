// The pods that tell how a rollout goes: the release's pods of the revision being rolled out.
// Pods of an older ReplicaSet or StatefulSet revision may still crash while the new ones are
// fine (deploying a fix), so they are left out; terminating pods are left out too.
import type { KubernetesObject } from '@kubernetes/client-node';

type Meta = KubernetesObject & {
  status?: { updateRevision?: string; observedGeneration?: number };
};

/** True once the workload's controller has acted on its current spec. */
function observed(workload: Meta): boolean {
  return (workload.status?.observedGeneration ?? 0) >= (workload.metadata?.generation ?? 0);
}

const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';

/** Filters pods to those of each workload's current revision. */
export function currentPods(
  pods: Iterable<KubernetesObject>,
  replicaSets: Iterable<KubernetesObject>,
  workloads: Iterable<KubernetesObject>,
): KubernetesObject[] {
  const deployments = new Map<string, Meta>();
  const statefulSets = new Map<string, Meta>();
  for (const workload of workloads) {
    if (workload.kind === 'Deployment') deployments.set(workload.metadata?.name ?? '', workload);
    if (workload.kind === 'StatefulSet') statefulSets.set(workload.metadata?.name ?? '', workload);
  }
  // A ReplicaSet is current when its revision is its Deployment's revision. Until the
  // controller has observed the Deployment's spec, its revision is not settled: none is.
  const staleReplicaSets = new Set<string>();
  for (const replicaSet of replicaSets) {
    const owner = replicaSet.metadata?.ownerReferences?.find((ref) => ref.kind === 'Deployment');
    const deployment = owner ? deployments.get(owner.name) : undefined;
    const wanted = deployment?.metadata?.annotations?.[REVISION_ANNOTATION];
    const own = replicaSet.metadata?.annotations?.[REVISION_ANNOTATION];
    if (deployment && !observed(deployment)) staleReplicaSets.add(replicaSet.metadata?.name ?? '');
    else if (wanted && own && wanted !== own) staleReplicaSets.add(replicaSet.metadata?.name ?? '');
  }
  const result: KubernetesObject[] = [];
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const owner = pod.metadata?.ownerReferences?.find((ref) => ref.controller);
    if (owner?.kind === 'ReplicaSet' && staleReplicaSets.has(owner.name)) continue;
    if (owner?.kind === 'StatefulSet') {
      const statefulSet = statefulSets.get(owner.name);
      if (statefulSet && !observed(statefulSet)) continue;
      const updateRevision = statefulSet?.status?.updateRevision;
      const podRevision = pod.metadata?.labels?.['controller-revision-hash'];
      if (updateRevision && podRevision && updateRevision !== podRevision) continue;
    }
    result.push(pod);
  }
  return result;
}

// A StatefulSet is healthy when every replica is ready and runs the update revision
// (partitioned rollouts: the pods from the partition up).
import { count, healthy, progressing } from './health.ts';
import type { Health, ObjectWithStatus } from './health.ts';

/** Health of an apps/v1 StatefulSet. */
export function statefulSetHealth(statefulSet: ObjectWithStatus): Health {
  const spec = statefulSet.spec ?? {};
  const status = statefulSet.status ?? {};
  const generation = statefulSet.metadata?.generation ?? 0;
  if (count(status.observedGeneration) < generation) {
    return progressing('waiting for the controller to observe the new spec');
  }
  const desired = spec.replicas === undefined ? 1 : count(spec.replicas);
  const ready = count(status.readyReplicas);
  if (ready < desired) return progressing(`${ready} of ${desired} replicas ready`);
  const strategy = spec.updateStrategy as
    { type?: string; rollingUpdate?: { partition?: number } } | undefined;
  if (strategy?.type === 'OnDelete')
    return healthy(`${ready} of ${desired} replicas ready (OnDelete)`);
  const partition = count(strategy?.rollingUpdate?.partition);
  const updated = count(status.updatedReplicas);
  if (partition > 0) {
    const expected = desired - partition;
    if (updated < expected) {
      return progressing(`${updated} of ${expected} replicas updated (partition ${partition})`);
    }
    return healthy(`partitioned rollout done: ${updated} new replicas`);
  }
  if (status.updateRevision !== status.currentRevision || updated < desired) {
    return progressing(`${updated} of ${desired} replicas updated`);
  }
  return healthy(`${ready} of ${desired} replicas ready`);
}

// A DaemonSet is healthy when every scheduled node runs an updated, available pod.
import { count, healthy, progressing } from './health.ts';
import type { Health, ObjectWithStatus } from './health.ts';

/** Health of an apps/v1 DaemonSet. */
export function daemonSetHealth(daemonSet: ObjectWithStatus): Health {
  const status = daemonSet.status ?? {};
  const generation = daemonSet.metadata?.generation ?? 0;
  if (count(status.observedGeneration) < generation) {
    return progressing('waiting for the controller to observe the new spec');
  }
  const strategy = (daemonSet.spec?.updateStrategy as { type?: string } | undefined)?.type;
  const desired = count(status.desiredNumberScheduled);
  const updated = count(status.updatedNumberScheduled);
  const available = count(status.numberAvailable);
  if (strategy === 'OnDelete')
    return healthy(`${available} of ${desired} pods available (OnDelete)`);
  if (updated < desired) return progressing(`${updated} of ${desired} pods updated`);
  if (available < desired) return progressing(`${available} of ${desired} updated pods available`);
  return healthy(`${available} of ${desired} pods available`);
}

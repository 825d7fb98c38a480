// A Deployment is healthy when `kubectl rollout status` would say so: the controller saw the
// current spec, every replica runs the new template and is available.
import { conditionOf, count, degraded, healthy, progressing, suspended } from './health.ts';
import type { Health, ObjectWithStatus } from './health.ts';

/** Health of an apps/v1 Deployment. */
export function deploymentHealth(deployment: ObjectWithStatus): Health {
  const spec = deployment.spec ?? {};
  const status = deployment.status ?? {};
  if (spec.paused === true) return suspended('rollout paused');
  const generation = deployment.metadata?.generation ?? 0;
  if (count(status.observedGeneration) < generation) {
    return progressing('waiting for the controller to observe the new spec');
  }
  const progress = conditionOf(deployment, 'Progressing');
  if (progress?.reason === 'ProgressDeadlineExceeded') {
    return degraded(`progress deadline exceeded: ${progress.message ?? ''}`.trim());
  }
  const desired = spec.replicas === undefined ? 1 : count(spec.replicas);
  const updated = count(status.updatedReplicas);
  const total = count(status.replicas);
  const available = count(status.availableReplicas);
  if (updated < desired) {
    return progressing(`${updated} of ${desired} replicas updated`);
  }
  if (total > updated) {
    return progressing(`${total - updated} old replica(s) pending termination`);
  }
  if (available < updated) {
    return progressing(`${available} of ${updated} updated replicas available`);
  }
  return healthy(`${available} of ${desired} replicas available`);
}

// An HPA is degraded when it cannot scale its target. Once it has acted, it is progressing
// until it has brought the target to its minimum. One it has not evaluated yet is healthy (it
// exists; the deploy brought the target to the minimum itself), and missing metrics only
// show in the reason: both are normal in a rollout's first minute and must not fail it.
import { conditionOf, count, degraded, healthy, progressing } from './health.ts';
import type { Health, ObjectWithStatus } from './health.ts';

const CANNOT_SCALE = new Set(['FailedGetScale', 'FailedUpdateScale', 'InvalidSelector']);

/** Health of an autoscaling/v2 HorizontalPodAutoscaler. */
export function hpaHealth(hpa: ObjectWithStatus): Health {
  const spec = hpa.spec ?? {};
  const status = hpa.status ?? {};
  for (const type of ['AbleToScale', 'ScalingActive']) {
    const condition = conditionOf(hpa, type);
    if (condition?.status === 'False' && CANNOT_SCALE.has(condition.reason ?? '')) {
      return degraded(`${type} ${condition.reason}: ${condition.message ?? ''}`.trim());
    }
  }
  const minimum = spec.minReplicas === undefined ? 1 : count(spec.minReplicas);
  const current = count(status.currentReplicas);
  if (!status.conditions || status.conditions.length === 0) {
    return healthy(`not evaluated by the autoscaler yet (${minimum}..${count(spec.maxReplicas)})`);
  }
  if (current < minimum) {
    return progressing(`waiting for the autoscaler: ${current} of at least ${minimum} replicas`);
  }
  const active = conditionOf(hpa, 'ScalingActive');
  const note =
    active?.status === 'False' ? ` (metrics not available yet: ${active.reason ?? ''})` : '';
  return healthy(`${current} replicas within ${minimum}..${count(spec.maxReplicas)}${note}`);
}

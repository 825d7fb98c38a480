// kstatus's generic rules (kubernetes-sigs/cli-utils pkg/kstatus), asked before any kind's
// own rule: deletion, an unobserved generation, and the Stalled / Ready / Reconciling conditions.
import { conditionOf, degraded, healthy, progressing } from './health.ts';
import type { Health, ObjectWithStatus } from './health.ts';

/**
 * The generic verdict, or undefined when the generic rules have nothing to say. Kinds with a
 * rule of their own skip the condition rules (like kstatus): their conditions mean other things.
 */
export function genericHealth(object: ObjectWithStatus, useConditions = true): Health | undefined {
  if (object.metadata?.deletionTimestamp) return progressing('being deleted');
  const generation = object.metadata?.generation;
  const observed = object.status?.observedGeneration;
  if (generation !== undefined && observed !== undefined && observed < generation) {
    return progressing(`the controller has not yet seen generation ${generation} (at ${observed})`);
  }
  if (!useConditions) return undefined;
  const stalled = conditionOf(object, 'Stalled');
  if (stalled?.status === 'True') return degraded(conditionText(stalled, 'stalled'));
  const reconciling = conditionOf(object, 'Reconciling');
  if (reconciling?.status === 'True') return progressing(conditionText(reconciling, 'reconciling'));
  const ready = conditionOf(object, 'Ready');
  if (ready?.status === 'False') return progressing(conditionText(ready, 'not ready'));
  if (ready?.status === 'True') return healthy();
  return undefined;
}

function conditionText(condition: { reason?: string; message?: string }, fallback: string): string {
  return [condition.reason, condition.message].filter(Boolean).join(': ') || fallback;
}

// A release's plan: per object, what a deploy does to it.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { FieldChange } from './object-diff.ts';

/** What a deploy does to an object. */
export type PlanAction = 'create' | 'update' | 'unchanged' | 'prune';

/** One object's step. */
export interface PlannedChange {
  action: PlanAction;
  kind: string;
  name: string;
  namespace?: string | undefined;
  /** For create / update: the object to apply. For prune: the live object to delete. */
  object: KubernetesObject;
  /** For update: the fields that change (server-side dry-run against live). */
  fields?: FieldChange[];
}

/** The plan of one release. */
export interface ReleasePlan {
  release: string;
  namespace: string;
  changes: PlannedChange[];
}

/** Counts per action. */
export function planCounts(plan: ReleasePlan): Record<PlanAction, number> {
  const counts: Record<PlanAction, number> = { create: 0, update: 0, unchanged: 0, prune: 0 };
  for (const change of plan.changes) counts[change.action] += 1;
  return counts;
}

/** True when applying the plan would change nothing. */
export function isNoop(plan: ReleasePlan): boolean {
  return plan.changes.every((change) => change.action === 'unchanged');
}

/** "2 to create, 1 to update, 5 unchanged, 1 to prune" (zero counts left out). */
export function describeCounts(counts: Record<PlanAction, number>): string {
  const parts: string[] = [];
  if (counts.create) parts.push(`${counts.create} to create`);
  if (counts.update) parts.push(`${counts.update} to update`);
  if (counts.prune) parts.push(`${counts.prune} to prune`);
  parts.push(`${counts.unchanged} unchanged`);
  return parts.join(', ');
}

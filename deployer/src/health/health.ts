// The vocabulary of health, after Argo CD's gitops-engine (pkg/health): a status and a reason
// per object, and "the worst status wins" when objects are combined into a release.
import type { KubernetesObject } from '@kubernetes/client-node';

/** How an object is doing. */
export type HealthStatus = 'Healthy' | 'Progressing' | 'Degraded' | 'Missing' | 'Suspended';

/** A status with the reason a human needs ("2 of 3 updated replicas are available"). */
export interface Health {
  status: HealthStatus;
  reason: string;
}

/** From best to worst: combining healths keeps the one furthest right. */
const SEVERITY: readonly HealthStatus[] = [
  'Healthy',
  'Suspended',
  'Progressing',
  'Missing',
  'Degraded',
];

/** True when `a` is worse than `b`. */
export function isWorse(a: HealthStatus, b: HealthStatus): boolean {
  return SEVERITY.indexOf(a) > SEVERITY.indexOf(b);
}

/** The worst of several healths (the first of equals); Healthy when there are none. */
export function worstOf(healths: Health[]): Health {
  let worst: Health | undefined;
  for (const health of healths) if (!worst || isWorse(health.status, worst.status)) worst = health;
  return worst ?? { status: 'Healthy', reason: '' };
}

/** Shorthands. */
export const healthy = (reason = ''): Health => ({ status: 'Healthy', reason });
export const progressing = (reason: string): Health => ({ status: 'Progressing', reason });
export const degraded = (reason: string): Health => ({ status: 'Degraded', reason });
export const suspended = (reason: string): Health => ({ status: 'Suspended', reason });

/** A status condition as every API object writes it. */
export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** Any object with the fields the rules read. */
export type ObjectWithStatus = KubernetesObject & {
  spec?: Record<string, unknown>;
  status?: Record<string, unknown> & { conditions?: Condition[]; observedGeneration?: number };
};

/** The named condition of an object, if it has one. */
export function conditionOf(object: ObjectWithStatus, type: string): Condition | undefined {
  const conditions = object.status?.conditions;
  return Array.isArray(conditions)
    ? conditions.find((condition) => condition.type === type)
    : undefined;
}

/** A number field of status or spec (0 when absent). */
export function count(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

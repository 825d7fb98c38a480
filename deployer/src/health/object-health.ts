// One entry point for every object: the generic kstatus rules first, then the kind's own
// rule, and the worst of both wins. Kinds without a rule (ConfigMap, Secret, RBAC, ...) are
// healthy once they exist.
import type { KubernetesObject } from '@kubernetes/client-node';
import { daemonSetHealth } from './daemonset.ts';
import { deploymentHealth } from './deployment.ts';
import { genericHealth } from './generic.ts';
import { healthy, worstOf } from './health.ts';
import type { Health, ObjectWithStatus } from './health.ts';
import { hpaHealth } from './hpa.ts';
import { ingressHealth } from './ingress.ts';
import { jobHealth } from './job.ts';
import { podHealth } from './pod.ts';
import { pvcHealth } from './pvc.ts';
import { serviceHealth } from './service.ts';
import { statefulSetHealth } from './statefulset.ts';

type Rule = (object: ObjectWithStatus) => Health;

/** The rule of each kind that has one. */
const RULES: Record<string, Rule> = {
  Deployment: deploymentHealth,
  StatefulSet: statefulSetHealth,
  DaemonSet: daemonSetHealth,
  Job: jobHealth,
  HorizontalPodAutoscaler: hpaHealth,
  Service: serviceHealth,
  Ingress: ingressHealth,
  PersistentVolumeClaim: pvcHealth,
  Pod: podHealth,
};

/** Kinds whose health is worth waiting for (the others are healthy as soon as applied). */
export const KINDS_WITH_HEALTH = new Set(Object.keys(RULES));

/** The health of an object; `undefined` (not found) is Missing. */
export function objectHealth(object: KubernetesObject | undefined): Health {
  if (!object) return { status: 'Missing', reason: 'not found' };
  const withStatus = object as ObjectWithStatus;
  const rule = RULES[object.kind ?? ''];
  const generic = genericHealth(withStatus, rule === undefined);
  const specific = rule ? rule(withStatus) : undefined;
  const verdicts = [generic, specific].filter((health): health is Health => health !== undefined);
  return verdicts.length > 0 ? worstOf(verdicts) : healthy();
}

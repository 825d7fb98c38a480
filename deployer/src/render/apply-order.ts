// The order objects are applied in: what others need to exist first (namespaces, CRDs),
// then what pods refer to (accounts, config, secrets, RBAC, services, claims), then the
// workloads, then what points at workloads (autoscalers, routes) and custom resources.
// A workload applied before its ConfigMap would show CreateContainerConfigError, and an
// HPA before its Deployment FailedGetScale, both of which fail a deploy at once. Within a
// tier, objects are independent and applied in parallel.
import type { KubernetesObject } from '@kubernetes/client-node';

const FIRST = new Set([
  'Namespace',
  'CustomResourceDefinition',
  'StorageClass',
  'PersistentVolume',
  'PriorityClass',
]);
const WORKLOADS = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
  'Pod',
  'Job',
  'CronJob',
]);
const POINTING_AT_WORKLOADS = new Set(['HorizontalPodAutoscaler', 'Ingress', 'APIService']);
/** Built-in kinds that go with the configuration tier; any other kind is a custom resource. */
const CONFIGURATION = new Set([
  'ServiceAccount',
  'Secret',
  'ConfigMap',
  'Role',
  'RoleBinding',
  'ClusterRole',
  'ClusterRoleBinding',
  'Service',
  'Endpoints',
  'EndpointSlice',
  'PersistentVolumeClaim',
  'NetworkPolicy',
  'PodDisruptionBudget',
  'ResourceQuota',
  'LimitRange',
  'IngressClass',
  'PodTemplate',
]);

/** The tier of workloads (what pods run in). */
export const WORKLOAD_TIER = 2;

/** The apply tier of a kind: 0 first, 3 last (custom resources go last, after their CRDs). */
export function applyTier(kind: string | undefined): number {
  const name = kind ?? '';
  if (FIRST.has(name)) return 0;
  if (CONFIGURATION.has(name)) return 1;
  if (WORKLOADS.has(name)) return WORKLOAD_TIER;
  if (POINTING_AT_WORKLOADS.has(name)) return 3;
  return 3;
}

/** Groups objects by tier, in apply order: each group can be applied in parallel. */
export function applyGroups<T extends KubernetesObject>(objects: T[]): T[][] {
  const byTier = new Map<number, T[]>();
  for (const object of objects) {
    const tier = applyTier(object.kind);
    byTier.set(tier, [...(byTier.get(tier) ?? []), object]);
  }
  return [...byTier.entries()].sort(([a], [b]) => a - b).map(([, group]) => group);
}

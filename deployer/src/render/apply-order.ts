// The order objects are applied in, after helm's install order: what others refer to first
// (namespaces, accounts, config, secrets, RBAC), workloads after, routes and autoscalers last.
import type { KubernetesObject } from '@kubernetes/client-node';

const ORDER = [
  'Namespace',
  'NetworkPolicy',
  'ResourceQuota',
  'LimitRange',
  'PodSecurityPolicy',
  'PodDisruptionBudget',
  'ServiceAccount',
  'Secret',
  'SecretList',
  'ConfigMap',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleList',
  'ClusterRoleBinding',
  'ClusterRoleBindingList',
  'Role',
  'RoleList',
  'RoleBinding',
  'RoleBindingList',
  'Service',
  'DaemonSet',
  'Pod',
  'ReplicationController',
  'ReplicaSet',
  'Deployment',
  'HorizontalPodAutoscaler',
  'StatefulSet',
  'Job',
  'CronJob',
  'IngressClass',
  'Ingress',
  'APIService',
];

/** The apply rank of a kind (unknown kinds, e.g. custom resources, go last). */
export function applyRank(kind: string | undefined): number {
  const index = ORDER.indexOf(kind ?? '');
  return index === -1 ? ORDER.length : index;
}

/** Groups objects by rank, in apply order: each group can be applied in parallel. */
export function applyGroups<T extends KubernetesObject>(objects: T[]): T[][] {
  const byRank = new Map<number, T[]>();
  for (const object of objects) {
    const rank = applyRank(object.kind);
    byRank.set(rank, [...(byRank.get(rank) ?? []), object]);
  }
  return [...byRank.entries()].sort(([a], [b]) => a - b).map(([, group]) => group);
}

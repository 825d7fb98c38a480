// The pods of one app in the platform's namespace and whether the kubelet counts them ready:
// what `kubectl get pods -l app.kubernetes.io/name=<app>` shows in its READY column.
import type { V1Pod } from '@kubernetes/client-node';
import type { KindCluster } from './kind-cluster.ts';

/** A pod as a readiness check sees it. */
export interface PodReadiness {
  readonly name: string;
  readonly ready: boolean;
  /** Container restarts so far (all containers). */
  readonly restarts: number;
  readonly phase: string;
}

function readiness(pod: V1Pod): PodReadiness {
  return {
    name: pod.metadata?.name ?? '?',
    ready: pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true,
    restarts: (pod.status?.containerStatuses ?? []).reduce((sum, c) => sum + c.restartCount, 0),
    phase: pod.status?.phase ?? '?',
  };
}

/** The pods labelled app.kubernetes.io/name=`app`: the live ones, or with `terminating` all. */
export async function appPods(
  cluster: KindCluster,
  app: string,
  options: { terminating?: boolean } = {},
): Promise<PodReadiness[]> {
  const list = await cluster.core.listNamespacedPod({
    namespace: cluster.namespace,
    labelSelector: `app.kubernetes.io/name=${app}`,
  });
  return list.items
    .filter((pod) => options.terminating === true || pod.metadata?.deletionTimestamp === undefined)
    .map(readiness)
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** "auth-7d9-x2 ready (0 restarts), auth-7d9-k4 not ready (Running, 1 restart)". */
export function describePods(pods: readonly PodReadiness[]): string {
  if (pods.length === 0) return 'no pods';
  return pods
    .map(
      (pod) =>
        `${pod.name} ${pod.ready ? 'ready' : `not ready (${pod.phase})`}, ${pod.restarts} restart(s)`,
    )
    .join('; ');
}

// The routes the cluster's Ingresses give the gateway: host, path and the Service behind it.
import type { KindCluster } from './kind-cluster.ts';

/** One host/path rule of an Ingress. */
export interface IngressRoute {
  readonly ingress: string;
  readonly host: string;
  readonly path: string;
  /** The backend Service's name. */
  readonly service: string;
}

/** Every rule path of every Ingress in the platform's namespace. */
export async function ingressRoutes(cluster: KindCluster): Promise<IngressRoute[]> {
  const list = await cluster.networking.listNamespacedIngress({ namespace: cluster.namespace });
  return list.items.flatMap((ingress) =>
    (ingress.spec?.rules ?? []).flatMap((rule) =>
      (rule.http?.paths ?? []).map((path) => ({
        ingress: ingress.metadata?.name ?? '?',
        host: rule.host ?? '',
        path: path.path ?? '/',
        service: path.backend.service?.name ?? '',
      })),
    ),
  );
}

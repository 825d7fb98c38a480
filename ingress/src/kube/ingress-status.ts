// Publishes the gateway's address in `status.loadBalancer` of each Ingress it serves, so
// `kubectl get ingress` and deploy tools see where the routes are reachable.
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type {
  NetworkingV1Api,
  V1Ingress,
  V1IngressLoadBalancerIngress,
} from '@kubernetes/client-node';

/** `status.loadBalancer.ingress` for an address: an IP goes in `ip`, a name in `hostname`. */
export function loadBalancerEntries(address: string): V1IngressLoadBalancerIngress[] {
  const isIp = /^\d{1,3}(\.\d{1,3}){3}$/.test(address) || address.includes(':');
  return [isIp ? { ip: address } : { hostname: address }];
}

/** Whether the Ingress already shows this address (and nothing else). */
export function statusIsCurrent(
  ingress: V1Ingress,
  wanted: V1IngressLoadBalancerIngress[],
): boolean {
  const current = ingress.status?.loadBalancer?.ingress ?? [];
  return (
    current.length === wanted.length &&
    current.every(
      (entry, i) => entry.ip === wanted[i]?.ip && entry.hostname === wanted[i]?.hostname,
    )
  );
}

/** Writes the address into the Ingress status (merge patch on the status subresource). */
export async function publishStatus(
  api: NetworkingV1Api,
  ingress: V1Ingress,
  wanted: V1IngressLoadBalancerIngress[],
): Promise<void> {
  await api.patchNamespacedIngressStatus(
    {
      name: ingress.metadata?.name ?? '',
      namespace: ingress.metadata?.namespace ?? 'default',
      body: { status: { loadBalancer: { ingress: wanted } } },
      fieldManager: 'shoal-gateway',
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

// A Service is healthy at once, except a LoadBalancer without an address yet.
import { healthy, progressing } from './health.ts';
import type { Health, ObjectWithStatus } from './health.ts';

/** Health of a v1 Service. */
export function serviceHealth(service: ObjectWithStatus): Health {
  if (service.spec?.type !== 'LoadBalancer') return healthy();
  const ingress = (service.status?.loadBalancer as { ingress?: unknown[] } | undefined)?.ingress;
  return ingress && ingress.length > 0
    ? healthy()
    : progressing('waiting for a load-balancer address');
}

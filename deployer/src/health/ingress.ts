// An Ingress is healthy once created: on kind (and the testbed) no controller may publish an
// address for it, and that is not a failure (DESIGN.md). The address shows in the reason.
import { healthy } from './health.ts';
import type { Health, ObjectWithStatus } from './health.ts';

/** Health of a networking.k8s.io/v1 Ingress. */
export function ingressHealth(ingress: ObjectWithStatus): Health {
  const addresses = (
    (ingress.status?.loadBalancer as { ingress?: { ip?: string; hostname?: string }[] } | undefined)
      ?.ingress ?? []
  )
    .map((entry) => entry.ip ?? entry.hostname)
    .filter(Boolean);
  return healthy(
    addresses.length > 0 ? `published at ${addresses.join(', ')}` : 'no address published',
  );
}

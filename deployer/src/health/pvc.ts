// A PersistentVolumeClaim is healthy once Bound, degraded when its volume is Lost.
import { degraded, healthy, progressing } from './health.ts';
import type { Health, ObjectWithStatus } from './health.ts';

/** Health of a v1 PersistentVolumeClaim. */
export function pvcHealth(claim: ObjectWithStatus): Health {
  switch (claim.status?.phase) {
    case 'Bound':
      return healthy('bound');
    case 'Lost':
      return degraded('its volume is lost');
    default:
      return progressing('waiting for a volume to bind');
  }
}

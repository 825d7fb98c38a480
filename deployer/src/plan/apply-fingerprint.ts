// A server-side dry-run per object is what makes a plan exact, and what makes a no-op deploy
// slow (the API server runs the whole apply machinery for each object). It can be skipped for
// an object that is provably unchanged: the release renders it exactly as at its last good
// revision, and the fields shoal owns on the live object are still the ones it owned right
// after that apply. Any edit by someone else to a field shoal owns moves that field to the
// editor's manager, so it changes this fingerprint and the object is dry-run as before.
import { createHash } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../state/labels.ts';

/** A short hash of the fields shoal's applies own on a live object; undefined if it owns none. */
export function applyFingerprint(live: KubernetesObject | undefined): string | undefined {
  const entry = live?.metadata?.managedFields?.find(
    (field) => field.manager === FIELD_MANAGER && field.operation === 'Apply' && !field.subresource,
  );
  if (!entry?.fieldsV1) return undefined;
  return createHash('sha256')
    .update(JSON.stringify(entry.fieldsV1))
    .digest('base64url')
    .slice(0, 22);
}

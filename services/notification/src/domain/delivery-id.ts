import { createHash } from 'node:crypto';
import type { Channel } from './notification.ts';

/**
 * The id of the (event, channel) delivery: the record's key, the inbox item's id and the
 * email's Message-ID local part. Derived, not random, so every redelivery of the event and
 * every retry after a crash arrives at the same one. 22 base64url characters of SHA-256.
 */
export function deliveryId(eventId: string, channel: Channel): string {
  return createHash('sha256')
    .update(`${eventId}\n${channel}`, 'utf8')
    .digest('base64url')
    .slice(0, 22);
}

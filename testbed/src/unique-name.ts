// Names for per-test-run resources (databases, queues, collections), so runs sharing one
// testbed never see each other's data.
import { randomBytes } from 'node:crypto';

const PREFIX = /^[a-z][a-z0-9_-]{0,40}$/;

/**
 * `uniqueName('orders')` -> `orders-3f9a1c2b`. Use `separator: '_'` for names that must be
 * plain SQL identifiers (PostgreSQL databases, schemas).
 */
export function uniqueName(prefix: string, separator: '-' | '_' = '-'): string {
  if (!PREFIX.test(prefix)) {
    throw new Error(
      `uniqueName: prefix "${prefix}" must start with a lowercase letter and hold at most 41 of a-z, 0-9, - and _`,
    );
  }
  return `${prefix}${separator}${randomBytes(4).toString('hex')}`;
}

// The real auth service for the notification service's tests, one process per test run (the
// testbed starts it; the root hook stops it), knowing the notification service's client.
import { randomBytes } from 'node:crypto';
import { startAuthProcess } from '@shoal/testbed';
import type { AuthProcess } from '@shoal/testbed';

export type { AuthProcess, TestUser } from '@shoal/testbed';

/** The client the notification service under test uses (client credentials, `users:read`). */
export const NOTIFICATION_CLIENT = {
  id: 'notification-test',
  secret: randomBytes(18).toString('base64url'),
  scopes: ['users:read'],
};

let shared: Promise<AuthProcess> | undefined;

/** One auth process for the whole test run (started on first use, stopped by the root hook). */
export function sharedAuth(): Promise<AuthProcess> {
  shared ??= startAuthProcess({ clients: [NOTIFICATION_CLIENT], databasePrefix: 'notifauth' });
  return shared;
}

/** Stops the shared auth process if one was started. */
export async function stopSharedAuth(): Promise<void> {
  const running = shared;
  shared = undefined;
  if (running !== undefined) await (await running).stop();
}

// The real auth service for the user service's tests, one process per test run (the testbed
// starts it; the root hook stops it), knowing the service clients these tests use.
import { randomBytes } from 'node:crypto';
import { startAuthProcess } from '@shoal/testbed';
import type { AuthProcess } from '@shoal/testbed';

export type { AuthProcess, TestUser } from '@shoal/testbed';

/** The client the tests use as "the notification service" (client credentials). */
export const CONTACT_CLIENT = {
  id: 'notification-test',
  secret: randomBytes(18).toString('base64url'),
  scopes: ['users:read'],
};
/** A client without the contact scope. */
export const OTHER_CLIENT = {
  id: 'reporting-test',
  secret: randomBytes(18).toString('base64url'),
  scopes: ['reports:read'],
};

let shared: Promise<AuthProcess> | undefined;

/** One auth process for the whole test run (started on first use, stopped by the root hook). */
export function sharedAuth(): Promise<AuthProcess> {
  shared ??= startAuthProcess({
    clients: [CONTACT_CLIENT, OTHER_CLIENT],
    databasePrefix: 'userauth',
  });
  return shared;
}

/** Stops the shared auth process if one was started. */
export async function stopSharedAuth(): Promise<void> {
  const running = shared;
  shared = undefined;
  if (running !== undefined) await (await running).stop();
}

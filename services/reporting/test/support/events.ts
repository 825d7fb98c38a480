import { randomUUID } from 'node:crypto';
import { createCloudEvent } from '@shoal/kit';
import type { CloudEvent } from '@shoal/kit';

/** An event of `type` at `time`, with data as its producer sends it. */
export function eventAt(type: string, time: string, data: Record<string, unknown>): CloudEvent {
  return createCloudEvent({ type, source: '/shoal/test', time, data });
}

/** `auth.user.registered` for `userId` at `time`. */
export function registered(userId: string, time: string): CloudEvent {
  return eventAt('auth.user.registered', time, {
    id: userId,
    email: `${userId.slice(0, 8)}@example.com`,
    name: 'Test User',
  });
}

/** `auth.user.logged_in` for `userId` at `time`. */
export function loggedIn(userId: string, time: string): CloudEvent {
  return eventAt('auth.user.logged_in', time, { id: userId });
}

/** `notification.sent` or `.failed` about an event, for `userId` at `time`. */
export function notification(outcome: 'sent' | 'failed', userId: string, time: string): CloudEvent {
  return eventAt(`notification.${outcome}`, time, {
    eventId: randomUUID(),
    userId,
    channel: 'email',
    template: 'welcome',
    ...(outcome === 'failed' ? { reason: 'smtp refused' } : {}),
  });
}

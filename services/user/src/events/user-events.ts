import { createCloudEvent } from '@shoal/kit';
import type { CloudEvent } from '@shoal/kit';
import { z } from 'zod';
import type { Profile } from '../domain/profile.ts';

/**
 * The events the user service publishes to `platform-events` through its outbox, as
 * CloudEvents 1.0 with `source` = EVENT_SOURCE and `subject` = the user id. Their contracts
 * live in the event service (services/event/src/events/contracts/user.*.json).
 */
export const EVENT_SOURCE = '/shoal/user';

/** The profile fields `user.profile.updated` carries (never email: it belongs to auth). */
export function publicProfileFields(profile: Profile) {
  return {
    displayName: profile.displayName,
    bio: profile.bio,
    locale: profile.locale,
    timezone: profile.timezone,
    notificationPrefs: profile.notificationPrefs,
  };
}

/** `user.profile.updated`: the user changed these fields; `profile` is the result. */
export function profileUpdated(profile: Profile, changed: readonly string[]): CloudEvent {
  return createCloudEvent({
    type: 'user.profile.updated',
    source: EVENT_SOURCE,
    subject: profile.id,
    time: profile.updatedAt,
    data: { id: profile.id, changed: [...changed], profile: publicProfileFields(profile) },
  });
}

/** `user.deleted`: the user deleted their profile (soft delete). */
export function userDeleted(id: string, deletedAt: Date): CloudEvent {
  return createCloudEvent({
    type: 'user.deleted',
    source: EVENT_SOURCE,
    subject: id,
    time: deletedAt,
    data: { id, deletedAt: deletedAt.toISOString() },
  });
}

/** `auth.user.registered` data, as this service relies on it. */
export const userRegisteredData = z.object({
  id: z.string().min(1).max(128),
  email: z.string().min(3).max(254),
  name: z.string().min(1).max(200),
});

import type { Profile } from '../domain/profile.ts';
import { InvalidCursorError } from '../domain/errors.ts';

/** A profile as the API shows it (openapi.yaml `Profile`). */
export function toPublicProfile(profile: Profile): Record<string, unknown> {
  return {
    id: profile.id,
    email: profile.email,
    displayName: profile.displayName,
    bio: profile.bio,
    locale: profile.locale,
    timezone: profile.timezone,
    notificationPrefs: profile.notificationPrefs,
    createdAt: profile.createdAt.toISOString(),
    updatedAt: profile.updatedAt.toISOString(),
    ...(profile.deletedAt === null ? {} : { deletedAt: profile.deletedAt.toISOString() }),
  };
}

/** What the notification service needs to reach a user (openapi.yaml `Contact`). */
export function toContact(profile: Profile): Record<string, unknown> {
  return {
    id: profile.id,
    email: profile.email,
    displayName: profile.displayName,
    locale: profile.locale,
    timezone: profile.timezone,
    notificationPrefs: profile.notificationPrefs,
    ...(profile.deletedAt === null ? {} : { deletedAt: profile.deletedAt.toISOString() }),
  };
}

/** Opaque to clients: base64url of the last id of the page. */
export function encodeCursor(afterId: string): string {
  return Buffer.from(afterId, 'utf8').toString('base64url');
}

/** Reads a cursor made by encodeCursor; throws InvalidCursorError for anything else. */
export function decodeCursor(cursor: string): string {
  const afterId = Buffer.from(cursor, 'base64url').toString('utf8');
  if (afterId === '' || encodeCursor(afterId) !== cursor) throw new InvalidCursorError();
  return afterId;
}

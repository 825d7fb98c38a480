/** Who may hear from the platform, and how. */
export interface NotificationPrefs {
  readonly email: boolean;
  readonly inApp: boolean;
}

/** A user's profile. The id is the auth service's user id (the token's `sub`). */
export interface Profile {
  readonly id: string;
  /** From the registration event; null while it is still on its way. */
  readonly email: string | null;
  readonly displayName: string | null;
  readonly bio: string | null;
  /** BCP 47, e.g. `en-GB`. */
  readonly locale: string | null;
  /** IANA, e.g. `Europe/Paris`. */
  readonly timezone: string | null;
  readonly notificationPrefs: NotificationPrefs;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Set by a soft delete; a deleted profile is gone for everyone but admins. */
  readonly deletedAt: Date | null;
}

/** What a user may change about their own profile (PATCH /me). */
export interface ProfileChanges {
  readonly displayName?: string;
  readonly bio?: string | null;
  readonly locale?: string | null;
  readonly timezone?: string | null;
  readonly notificationPrefs?: Partial<NotificationPrefs>;
}

export const DEFAULT_NOTIFICATION_PREFS: NotificationPrefs = { email: true, inApp: true };

/** A profile that has just come into being (from the registration event or a first read). */
export function newProfile(
  id: string,
  now: Date,
  from: { email?: string; name?: string } = {},
): Profile {
  return {
    id,
    email: from.email ?? null,
    displayName: from.name ?? null,
    bio: null,
    locale: null,
    timezone: null,
    notificationPrefs: DEFAULT_NOTIFICATION_PREFS,
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  };
}

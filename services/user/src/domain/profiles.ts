import type { OutboxEvent } from '@shoal/kit';
import { profileUpdated, userDeleted } from '../events/user-events.ts';
import { ConcurrentUpdateError, ProfileNotFoundError } from './errors.ts';
import { newProfile } from './profile.ts';
import type { Profile, ProfileChanges } from './profile.ts';
import type { ProfileFields, ProfileStore } from './profile-store.ts';

/** Who is asking, as the token says. */
export interface Caller {
  readonly id: string;
  readonly isAdmin: boolean;
}

export interface ProfilesOptions {
  readonly store: ProfileStore;
  /** The queue this service's events go to (`platform-events`). */
  readonly eventsQueue: string;
  /** Called after a write that queued events (wakes the outbox relay). */
  readonly onEventsWritten?: () => void;
  readonly now?: () => Date;
}

/** Rounds of read-merge-write a PATCH tries before giving up with a 409. */
const UPDATE_ATTEMPTS = 3;

/** The profile rules: who sees what, what a change is, which events it makes. */
export class Profiles {
  readonly #options: ProfilesOptions;

  constructor(options: ProfilesOptions) {
    this.#options = options;
  }

  /**
   * `auth.user.registered` arrived: the profile exists afterwards, with the registration's
   * email and name. Idempotent; a profile made by an earlier first read gets the email, and
   * the name unless the user chose one meanwhile. A deleted profile stays deleted.
   */
  async registered(user: { id: string; email: string; name: string }): Promise<void> {
    const now = this.#now();
    const stored = await this.#options.store.createIfAbsent(newProfile(user.id, now, user));
    if (stored.email !== null) return;
    await this.#options.store.fillFromRegistration(user.id, user.email, user.name, now);
    // Read back: on a server without atomic document updates (FerretDB's SQLite backend) a
    // concurrent write can undo ours. Throwing gets the event redelivered and applied again.
    if ((await this.#options.store.get(user.id))?.email === null) {
      throw new Error(`registration of ${user.id} did not stick; will retry`);
    }
  }

  /**
   * The caller's own profile, created on this first read if the registration event is still
   * on its way (it fills in the email when it lands; the id makes a duplicate impossible).
   */
  async me(id: string): Promise<Profile> {
    const profile =
      (await this.#options.store.get(id)) ??
      (await this.#options.store.createIfAbsent(newProfile(id, this.#now())));
    if (profile.deletedAt !== null) throw new ProfileNotFoundError();
    return profile;
  }

  /** Applies the caller's changes to their own profile; publishes `user.profile.updated`. */
  async update(id: string, changes: ProfileChanges): Promise<Profile> {
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt += 1) {
      const current = await this.me(id);
      const now = this.#now();
      const { fields, changed } = diff(current, changes, now);
      if (changed.length === 0) return current;
      const updated: Profile = { ...current, ...fields };
      const written = await this.#options.store.write(id, current.updatedAt, fields, [
        this.#outbox(profileUpdated(updated, changed)),
      ]);
      if (written) {
        this.#options.onEventsWritten?.();
        return updated;
      }
    }
    throw new ConcurrentUpdateError();
  }

  /** Soft-deletes the caller's own profile; publishes `user.deleted`. */
  async remove(id: string): Promise<void> {
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt += 1) {
      const current = await this.#options.store.get(id);
      if (current === undefined || current.deletedAt !== null) throw new ProfileNotFoundError();
      const now = this.#now();
      const written = await this.#options.store.write(
        id,
        current.updatedAt,
        { deletedAt: now, updatedAt: now },
        [this.#outbox(userDeleted(id, now))],
      );
      if (written) {
        this.#options.onEventsWritten?.();
        return;
      }
    }
    throw new ConcurrentUpdateError();
  }

  /**
   * A profile as `caller` may see it: their own, or anyone's for an admin (deleted ones
   * too). Everyone else gets ProfileNotFoundError, exactly as for an id that does not exist.
   */
  async view(caller: Caller, id: string): Promise<Profile> {
    if (caller.id === id && !caller.isAdmin) return this.me(id);
    const profile =
      caller.id === id || caller.isAdmin ? await this.#options.store.get(id) : undefined;
    if (profile === undefined) throw new ProfileNotFoundError();
    return profile;
  }

  /** Live profiles, by id, `query` matching name or email (admin listing). */
  async list(options: { query?: string; afterId?: string; limit: number }) {
    const profiles = await this.#options.store.list({ ...options, limit: options.limit + 1 });
    const page = profiles.slice(0, options.limit);
    return {
      profiles: page,
      nextAfterId: profiles.length > options.limit ? page.at(-1)?.id : undefined,
    };
  }

  /**
   * How to reach a user (for the notification service). Deleted users cannot be reached,
   * unless `includeDeleted` asks for them (the goodbye message of a deleted account).
   */
  async contact(id: string, options: { includeDeleted?: boolean } = {}): Promise<Profile> {
    const profile = await this.#options.store.get(id);
    if (profile === undefined) throw new ProfileNotFoundError();
    if (profile.deletedAt !== null && options.includeDeleted !== true) {
      throw new ProfileNotFoundError();
    }
    return profile;
  }

  #outbox(event: OutboxEvent['event']): OutboxEvent {
    return { queue: this.#options.eventsQueue, event };
  }

  #now(): Date {
    return this.#options.now?.() ?? new Date();
  }
}

/** The fields that actually change, and their names (nested prefs count as their own). */
function diff(
  current: Profile,
  changes: ProfileChanges,
  now: Date,
): { fields: ProfileFields; changed: string[] } {
  const fields: { -readonly [K in keyof ProfileFields]: ProfileFields[K] } = { updatedAt: now };
  const changed: string[] = [];
  for (const key of ['displayName', 'bio', 'locale', 'timezone'] as const) {
    const value = changes[key];
    if (value !== undefined && value !== current[key]) {
      Object.assign(fields, { [key]: value });
      changed.push(key);
    }
  }
  if (changes.notificationPrefs !== undefined) {
    const prefs = { ...current.notificationPrefs, ...changes.notificationPrefs };
    for (const key of ['email', 'inApp'] as const) {
      if (prefs[key] !== current.notificationPrefs[key]) changed.push(`notificationPrefs.${key}`);
    }
    if (changed.some((name) => name.startsWith('notificationPrefs.'))) {
      fields.notificationPrefs = prefs;
    }
  }
  return { fields, changed };
}

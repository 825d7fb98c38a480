import type { OutboxEvent } from '@shoal/kit';
import type { Profile } from './profile.ts';

/** The fields a change writes (always with a new `updatedAt`). */
export type ProfileFields = Partial<Omit<Profile, 'id' | 'createdAt'>> & { updatedAt: Date };

/** The profiles' database (MongoDB), as the domain needs it. */
export interface ProfileStore {
  /** Inserts the profile unless one with its id exists; returns the one stored either way. */
  createIfAbsent(profile: Profile): Promise<Profile>;
  /** Fills email, and the display name if still unset, from the registration (no-op otherwise). */
  fillFromRegistration(id: string, email: string, name: string, now: Date): Promise<void>;
  get(id: string): Promise<Profile | undefined>;
  /**
   * Writes `fields` and queues `events` in ONE single-document write, only if the live profile
   * was last updated at `expectedUpdatedAt` (optimistic concurrency); false otherwise.
   */
  write(
    id: string,
    expectedUpdatedAt: Date,
    fields: ProfileFields,
    events: readonly OutboxEvent[],
  ): Promise<boolean>;
  /** Live profiles by id, after `afterId`, matching `query` on name or email (case-insensitive). */
  list(options: { query?: string; afterId?: string; limit: number }): Promise<Profile[]>;
}

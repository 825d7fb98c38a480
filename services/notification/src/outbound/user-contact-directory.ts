import { UpstreamError } from '@shoal/kit';
import type { HttpClient } from '@shoal/kit';
import { z } from 'zod';
import type { Contact } from '../domain/notification.ts';
import type { ContactDirectory } from '../domain/ports.ts';

/** The user service's `Contact` (its openapi.yaml), as far as this service relies on it. */
const contactBody = z.object({
  id: z.string(),
  email: z.string().nullable(),
  displayName: z.string().nullable(),
  locale: z.string().nullable(),
  notificationPrefs: z.object({ email: z.boolean(), inApp: z.boolean() }),
});

export interface UserContactDirectoryOptions {
  /** A client of the user service carrying a service token with `users:read`. */
  readonly client: HttpClient;
  /** How long an answer is reused; 0 = never cached. */
  readonly ttlMs: number;
  /** Most users remembered at once (the oldest go first). */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/**
 * Contacts from the user service (`GET /api/users/{id}/contact`, service token), cached
 * briefly. "No such user" (404) is an answer but is not remembered: the user service makes a
 * profile from the same auth.user.registered this service consumes, so a lookup made while
 * handling the registration can come first, and the user's next event must find them. An
 * unreachable or failing user service throws, so the event is retried later, never dropped.
 */
export class UserContactDirectory implements ContactDirectory {
  readonly #options: UserContactDirectoryOptions;
  readonly #cache = new Map<string, { contact: Contact; until: number }>();

  constructor(options: UserContactDirectoryOptions) {
    this.#options = options;
  }

  async find(
    userId: string,
    options: { includeDeleted?: boolean } = {},
  ): Promise<Contact | undefined> {
    const includeDeleted = options.includeDeleted ?? false;
    const key = `${includeDeleted ? 'all' : 'live'}:${userId}`;
    const now = this.#now();
    const cached = this.#cache.get(key);
    if (cached !== undefined && cached.until > now) return cached.contact;

    let contact: Contact;
    try {
      const { body } = await this.#options.client.get(
        `api/users/${encodeURIComponent(userId)}/contact`,
        includeDeleted ? { query: { includeDeleted: true } } : {},
      );
      contact = contactBody.parse(body);
    } catch (error) {
      if (error instanceof UpstreamError && error.status === 404) return undefined;
      throw error;
    }
    this.#remember(key, contact, now);
    return contact;
  }

  forget(userId: string): void {
    this.#cache.delete(`live:${userId}`);
    this.#cache.delete(`all:${userId}`);
  }

  #remember(key: string, contact: Contact, now: number): void {
    if (this.#options.ttlMs === 0) return;
    this.#cache.delete(key);
    this.#cache.set(key, { contact, until: now + this.#options.ttlMs });
    const maxEntries = this.#options.maxEntries ?? 10_000;
    // A Map iterates in insertion order: the first key is the oldest entry.
    while (this.#cache.size > maxEntries) {
      const oldest = this.#cache.keys().next().value;
      if (oldest === undefined) break;
      this.#cache.delete(oldest);
    }
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }
}

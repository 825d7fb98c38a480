// Remembers tokens that passed verification, so a client's next requests cost a map lookup
// instead of an RSA signature check. Bounded in size and age, and never past the token's exp.
import type { AuthContext } from '@shoal/kit';

interface Entry {
  auth: AuthContext;
  expiresAt: number;
}

/** A small LRU of verified tokens. */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxAgeMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;

  constructor(options: { maxAgeMs: number; maxEntries?: number; now?: () => number }) {
    this.#maxAgeMs = options.maxAgeMs;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  /** The identity a still-fresh verified token proved, else undefined. */
  get(token: string): AuthContext | undefined {
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#entries.delete(token);
      return undefined;
    }
    // Re-insert: Map iteration order is insertion order, so the oldest use is evicted first.
    this.#entries.delete(token);
    this.#entries.set(token, entry);
    return entry.auth;
  }

  /** Remembers a verified token until the earlier of max age and its `exp`. */
  set(token: string, auth: AuthContext): void {
    const exp = auth.claims['exp'];
    const expiresAt = Math.min(
      this.#now() + this.#maxAgeMs,
      typeof exp === 'number' ? exp * 1000 : 0,
    );
    if (expiresAt <= this.#now()) return;
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(token, { auth, expiresAt });
  }
}

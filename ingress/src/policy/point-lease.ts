// Rate-limit points taken from the shared (Redis) budget a few at a time and spent locally,
// so a busy caller costs one Redis round trip per lease instead of one per request. The
// shared counter counts leased points as spent, so all replicas together still never admit
// more than the limit; what a lease leaves unspent when its window ends is simply not used.
import type { RateLimitDecision } from '@shoal/kit';

/** Largest lease: at most this many requests are decided without asking Redis. */
const MAX_LEASE = 64;
/** A lease never exceeds this share of the limit, so small limits stay exact (lease of 1). */
const LEASE_SHARE = 1 / 1000;
/** Bound on remembered leases (one per active caller and route); expired ones go first. */
const MAX_LEASES = 50_000;

/** How many points to take at once for a limit of `points` per window (1 = no leasing). */
export function leaseSize(points: number): number {
  return Math.max(1, Math.min(MAX_LEASE, Math.floor(points * LEASE_SHARE)));
}

interface Lease {
  left: number;
  /** When the window the points belong to ends (ms epoch). */
  until: number;
  limit: number;
  /** The shared budget left when the lease was taken. */
  sharedRemaining: number;
}

/** The unspent leases of this replica. */
export class PointLeases {
  readonly #leases = new Map<string, Lease>();

  /** Spends one leased point of `key`, if a lease is left in the current window. */
  take(key: string, now = Date.now()): RateLimitDecision | undefined {
    const lease = this.#leases.get(key);
    if (lease === undefined) return undefined;
    if (lease.left <= 0 || lease.until <= now) {
      this.#leases.delete(key);
      return undefined;
    }
    lease.left -= 1;
    return {
      allowed: true,
      limit: lease.limit,
      remaining: lease.sharedRemaining + lease.left,
      resetMs: lease.until - now,
      local: false,
    };
  }

  /** Keeps `count` points of an allowed decision for later requests of `key`. */
  store(key: string, count: number, decision: RateLimitDecision, now = Date.now()): void {
    if (count <= 0 || !decision.allowed) return;
    const until = now + decision.resetMs;
    const current = this.#leases.get(key);
    if (current !== undefined && current.until > now && current.left > 0) {
      // Concurrent requests each took a lease: pool them, none of their points may be lost.
      current.left += count;
      current.until = until;
      current.sharedRemaining = Math.max(0, decision.remaining);
      return;
    }
    if (this.#leases.size >= MAX_LEASES) this.#sweep(now);
    this.#leases.set(key, {
      left: count,
      until,
      limit: decision.limit,
      sharedRemaining: Math.max(0, decision.remaining),
    });
  }

  #sweep(now: number): void {
    for (const [key, lease] of this.#leases) {
      if (lease.until <= now || lease.left <= 0) this.#leases.delete(key);
    }
    // Still full of live leases: drop the oldest (their points are only forgone, never reused).
    for (const key of this.#leases.keys()) {
      if (this.#leases.size < MAX_LEASES) break;
      this.#leases.delete(key);
    }
  }
}

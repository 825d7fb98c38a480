// Rate limits shared by every gateway replica through Redis (the kit's limiter), one budget
// per Ingress and caller: the token's subject when there is one, else the client address.
// With Redis unreachable the configured policy decides, and every such decision is counted.
import type { Redis } from 'ioredis';
import {
  HttpProblem,
  RateLimiterUnavailableError,
  createRateLimiter,
  rateLimitHeaders,
} from '@shoal/kit';
import type { Logger, RateLimitDecision, RateLimiter } from '@shoal/kit';
import type { RateLimitSpec } from '../routes/route-policy.ts';
import { PointLeases, leaseSize } from './point-lease.ts';

/** What to do while Redis is unreachable. */
export type RedisDownPolicy = 'local' | 'open' | 'closed';

/** Options of the edge rate limiter. */
export interface EdgeRateLimitOptions {
  /** Undefined: no Redis configured; limits then run per replica (as with Redis down). */
  redis: Redis | undefined;
  whenRedisDown: RedisDownPolicy;
  redisTimeoutMs: number;
  logger: Logger;
  /** Called for each decision taken without Redis (metrics). */
  onRedisDown?: (policy: RedisDownPolicy) => void;
}

/** The outcome for one request: headers to send, and whether it may pass. */
export interface EdgeRateLimitResult {
  headers: Record<string, string>;
  allowed: boolean;
}

/** One limiter per (Ingress, limit), made on first use and kept while routes keep using it. */
export class EdgeRateLimit {
  readonly #options: EdgeRateLimitOptions;
  readonly #limiters = new Map<string, RateLimiter>();
  readonly #leases = new PointLeases();
  #lastWarning = 0;

  constructor(options: EdgeRateLimitOptions) {
    this.#options = options;
  }

  /**
   * Spends one request of `caller`'s budget on the Ingress `source` and gives the RateLimit-*
   * headers: synchronously when a leased point is left (no Redis round trip, no microtask),
   * else a promise. Throws (or rejects with) a 429 HttpProblem (Retry-After, RateLimit-*)
   * when spent, or 503 when Redis is down and the policy is closed.
   */
  consume(
    source: string,
    spec: RateLimitSpec,
    caller: string,
  ): Record<string, string> | Promise<Record<string, string>> {
    const size = leaseSize(spec.points);
    if (size > 1) {
      const leased = this.#leases.take(`${source}|${spec.text}|${caller}`);
      if (leased !== undefined) return rateLimitHeaders(leased);
    }
    return this.#consumeShared(source, spec, caller, size);
  }

  async #consumeShared(
    source: string,
    spec: RateLimitSpec,
    caller: string,
    size: number,
  ): Promise<Record<string, string>> {
    const limiter = this.#limiterFor(source, spec);
    let decision: RateLimitDecision;
    try {
      // A lease takes `size` points at once; the ones not spent now serve the next requests.
      decision = await limiter.consume(caller, size);
    } catch (error) {
      if (!(error instanceof RateLimiterUnavailableError)) throw error;
      this.#options.onRedisDown?.(this.#options.whenRedisDown);
      this.#warnRedisDown(error);
      if (this.#options.whenRedisDown === 'open') return {};
      throw new HttpProblem(503, 'Service Unavailable', {
        detail: 'rate limiting is unavailable',
        headers: { 'Retry-After': '1' },
        cause: error,
      });
    }
    if (decision.local) this.#options.onRedisDown?.('local');
    this.#leases.store(`${source}|${spec.text}|${caller}`, size - 1, decision);
    const headers = rateLimitHeaders(decision);
    if (!decision.allowed) {
      throw new HttpProblem(429, 'Too Many Requests', {
        detail: `rate limit of ${spec.text} exceeded`,
        headers: { ...headers, 'Retry-After': headers['RateLimit-Reset'] ?? '1' },
      });
    }
    return headers;
  }

  /** Says so at most every 30 s (the local policy is reported by the kit's limiter itself). */
  #warnRedisDown(error: Error): void {
    if (Date.now() - this.#lastWarning < 30_000) return;
    this.#lastWarning = Date.now();
    this.#options.logger.warn(
      `rate limiter: Redis unreachable, failing ${this.#options.whenRedisDown}`,
      {
        error: error.message,
      },
    );
  }

  #limiterFor(source: string, spec: RateLimitSpec): RateLimiter {
    const key = `${source}|${spec.text}`;
    let limiter = this.#limiters.get(key);
    if (limiter === undefined) {
      const { redis, whenRedisDown, redisTimeoutMs, logger } = this.#options;
      limiter = createRateLimiter({
        // Without Redis a limiter still needs a client; one that never connects makes every
        // decision local, which is exactly "Redis down" (see gateway README).
        redis: redis ?? offlineRedis(),
        points: spec.points,
        durationSec: spec.durationSec,
        keyPrefix: `gw:rl:${source}:${spec.text}`,
        insuranceLocal: whenRedisDown === 'local' || redis === undefined,
        redisTimeoutMs,
        logger,
      });
      this.#limiters.set(key, limiter);
    }
    return limiter;
  }
}

let offline: Redis | undefined;

function offlineRedis(): Redis {
  // A stand-in client object is not enough for rate-limiter-flexible: it checks `status`.
  offline ??= { status: 'end' } as unknown as Redis;
  return offline;
}

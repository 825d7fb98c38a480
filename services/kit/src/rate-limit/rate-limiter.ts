import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { Logger } from '../logger/logger.ts';

export interface RateLimiterOptions {
  /** The Redis every replica shares; its counters make the limit hold across replicas. */
  redis: Redis;
  /** How many points (requests, attempts...) a key may spend per window. */
  points: number;
  /** Length of the window, in seconds. */
  durationSec: number;
  /** Namespaces the Redis keys (e.g. `rl:login`), so limiters never share counters by accident. */
  keyPrefix: string;
  /**
   * When Redis is unreachable, limit with a per-process in-memory limiter instead (fail open,
   * but not unlimited). When false, consume() throws RateLimiterUnavailableError. Default true.
   */
  insuranceLocal?: boolean;
  /** Points of the in-memory fallback; default `points` (so N replicas may admit N times as many). */
  insurancePoints?: number;
  /** A Redis answer slower than this counts as Redis being down. Default 250 ms. */
  redisTimeoutMs?: number;
  /** Where "Redis unreachable, limiting locally" is reported (at most every 30 s). */
  logger?: Logger;
}

/** What one consume() decided; maps 1:1 onto the RateLimit-* response headers. */
export interface RateLimitDecision {
  allowed: boolean;
  /** Points per window. */
  limit: number;
  /** Points left in the current window. */
  remaining: number;
  /** Milliseconds until the window resets (and, when denied, until it is worth retrying). */
  resetMs: number;
  /** True when Redis was unreachable and the local insurance limiter decided. */
  local: boolean;
}

/** Rate limiting keyed by caller (ip, user, client...), shared through Redis. */
export interface RateLimiter {
  readonly points: number;
  readonly durationSec: number;
  /** Spends `cost` points (default 1) of `key`'s budget and says whether that was allowed. */
  consume(key: string, cost?: number): Promise<RateLimitDecision>;
  /**
   * `key`'s budget without spending any: `allowed` says whether one more point would be,
   * e.g. to refuse a login attempt before hashing its password.
   */
  peek(key: string): Promise<RateLimitDecision>;
  /**
   * Forgets what `key` spent this window (its full budget is back), e.g. clear a caller's
   * failed logins once one succeeds. With Redis unreachable only the local count is cleared.
   */
  reset(key: string): Promise<void>;
}

/** Redis was unreachable and no local insurance limiter was configured. */
export class RateLimiterUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`rate limiter store unreachable: ${(cause as Error).message ?? String(cause)}`, {
      cause,
    });
    this.name = 'RateLimiterUnavailableError';
  }
}

const WARN_EVERY_MS = 30_000;

/**
 * A fixed-window rate limiter on rate-limiter-flexible + ioredis that holds across replicas,
 * with an in-memory insurance limiter taking over while Redis is unreachable.
 */
export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { points, durationSec, keyPrefix } = options;
  if (!Number.isInteger(points) || points < 1) {
    throw new TypeError('createRateLimiter: points must be a positive integer');
  }
  if (!Number.isInteger(durationSec) || durationSec < 1) {
    throw new TypeError('createRateLimiter: durationSec must be a positive integer');
  }
  if (keyPrefix.trim() === '') throw new TypeError('createRateLimiter: keyPrefix is required');

  const shared = new RateLimiterRedis({
    storeClient: options.redis,
    points,
    duration: durationSec,
    keyPrefix,
    // Fail over at once while ioredis reconnects, instead of queueing behind a dead socket.
    rejectIfRedisNotReady: true,
  });
  const local =
    options.insuranceLocal === false
      ? undefined
      : new RateLimiterMemory({
          points: options.insurancePoints ?? points,
          duration: durationSec,
          keyPrefix,
        });
  const timeoutMs = options.redisTimeoutMs ?? 250;
  let lastWarning = 0;

  const decide = (res: RateLimiterRes, allowed: boolean, isLocal: boolean): RateLimitDecision => ({
    allowed,
    limit: isLocal ? (options.insurancePoints ?? points) : points,
    remaining: res.remainingPoints,
    resetMs: res.msBeforeNext,
    local: isLocal,
  });

  /** Redis did not answer: the local limiter to use instead, or the error when there is none. */
  const fallbackFor = (outcome: unknown): RateLimiterMemory => {
    if (local === undefined) throw new RateLimiterUnavailableError(outcome);
    if (Date.now() - lastWarning > WARN_EVERY_MS) {
      lastWarning = Date.now();
      options.logger?.warn('rate limiter: Redis unreachable, limiting locally', {
        key_prefix: keyPrefix,
        error: (outcome as Error).message,
      });
    }
    return local;
  };

  /** A peek's decision from a stored counter; no counter means the whole budget is left. */
  const view = (res: RateLimiterRes | null, isLocal: boolean): RateLimitDecision => {
    const limit = isLocal ? (options.insurancePoints ?? points) : points;
    if (res === null) return { allowed: true, limit, remaining: limit, resetMs: 0, local: isLocal };
    return decide(res, res.remainingPoints > 0, isLocal);
  };

  return {
    points,
    durationSec,
    async consume(key, cost = 1) {
      let fallback: RateLimiterMemory;
      try {
        return decide(await withTimeout(shared.consume(key, cost), timeoutMs), true, false);
      } catch (outcome) {
        // rate-limiter-flexible rejects with a RateLimiterRes when the budget is spent.
        if (outcome instanceof RateLimiterRes) return decide(outcome, false, false);
        fallback = fallbackFor(outcome);
      }
      try {
        return decide(await fallback.consume(key, cost), true, true);
      } catch (outcome) {
        if (outcome instanceof RateLimiterRes) return decide(outcome, false, true);
        throw outcome;
      }
    },
    async peek(key) {
      let fallback: RateLimiterMemory;
      try {
        return view(await withTimeout(shared.get(key), timeoutMs), false);
      } catch (outcome) {
        fallback = fallbackFor(outcome);
      }
      return view(await fallback.get(key), true);
    },
    async reset(key) {
      // The local count too: it may hold attempts made while Redis was away.
      await local?.delete(key);
      try {
        await withTimeout(shared.delete(key), timeoutMs);
      } catch (outcome) {
        fallbackFor(outcome);
      }
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

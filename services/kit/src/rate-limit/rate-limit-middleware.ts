import type { Request, RequestHandler, Response } from 'express';
import { HttpProblem } from '../errors/problem.ts';
import { RateLimiterUnavailableError } from './rate-limiter.ts';
import type { RateLimitDecision, RateLimiter } from './rate-limiter.ts';

export interface RateLimitMiddlewareOptions {
  /** Whose budget a request spends. Default: the client IP (`req.ip`, mind `trust proxy`). */
  key?: (req: Request) => string;
  /** How many points a request costs. Default 1. */
  cost?: (req: Request) => number;
}

/**
 * Express middleware: spends the caller's budget, sets `RateLimit-Limit`, `RateLimit-Remaining`
 * and `RateLimit-Reset` (seconds), and answers 429 with `Retry-After` once it is spent.
 */
export function rateLimitMiddleware(
  limiter: RateLimiter,
  options: RateLimitMiddlewareOptions = {},
): RequestHandler {
  const keyOf = options.key ?? ((req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown');
  return async (req, res, next) => {
    let decision: RateLimitDecision;
    try {
      decision = await limiter.consume(keyOf(req), options.cost?.(req) ?? 1);
    } catch (error) {
      if (error instanceof RateLimiterUnavailableError) {
        throw new HttpProblem(503, 'Service Unavailable', {
          detail: 'rate limiting is unavailable',
          cause: error,
        });
      }
      throw error;
    }
    const headers = rateLimitHeaders(decision);
    setHeaders(res, headers);
    if (!decision.allowed) {
      throw new HttpProblem(429, 'Too Many Requests', {
        detail: `rate limit of ${decision.limit} per ${limiter.durationSec}s exceeded`,
        headers: { ...headers, 'Retry-After': headers['RateLimit-Reset'] as string },
      });
    }
    next();
  };
}

/** The RateLimit-* headers (IETF draft) for a decision; Reset is in whole seconds, rounded up. */
export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  return {
    'RateLimit-Limit': String(decision.limit),
    'RateLimit-Remaining': String(Math.max(0, decision.remaining)),
    'RateLimit-Reset': String(Math.max(1, Math.ceil(decision.resetMs / 1000))),
  };
}

function setHeaders(res: Response, headers: Record<string, string>): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
}

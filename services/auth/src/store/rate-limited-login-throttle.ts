import { createHash } from 'node:crypto';
import type { RateLimiter } from '@shoal/kit';
import type { LoginAttempt, LoginThrottle } from '../domain/login-throttle.ts';

/**
 * Failed-login throttling on the kit's Redis rate limiters (one per account, one per client
 * address, shared by all replicas; a local limiter takes over while Redis is down). Only
 * failures spend points; an attempt is refused while either budget is spent, until its
 * window ends.
 */
export class RateLimitedLoginThrottle implements LoginThrottle {
  readonly #perAccount: RateLimiter;
  readonly #perAddress: RateLimiter;

  constructor(limiters: { perAccount: RateLimiter; perAddress: RateLimiter }) {
    this.#perAccount = limiters.perAccount;
    this.#perAddress = limiters.perAddress;
  }

  async retryAfterSec(attempt: LoginAttempt): Promise<number> {
    const [account, address] = await Promise.all([
      this.#perAccount.peek(accountKey(attempt)),
      this.#perAddress.peek(attempt.address),
    ]);
    return Math.max(blockedForSec(account), blockedForSec(address));
  }

  async recordFailure(attempt: LoginAttempt): Promise<void> {
    await Promise.all([
      this.#perAccount.consume(accountKey(attempt)),
      this.#perAddress.consume(attempt.address),
    ]);
  }
}

/** Emails are hashed so Redis never holds them in clear. */
function accountKey(attempt: LoginAttempt): string {
  return createHash('sha256').update(attempt.account).digest('base64url');
}

function blockedForSec(decision: { allowed: boolean; remaining: number; resetMs: number }): number {
  if (decision.allowed && decision.remaining > 0) return 0;
  return Math.max(1, Math.ceil(decision.resetMs / 1000));
}

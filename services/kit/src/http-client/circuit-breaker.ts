import CircuitBreaker from 'opossum';
import { CircuitOpenError } from './upstream-errors.ts';

export interface BreakerOptions {
  /** Consecutive failed calls that open the circuit. Default 5. */
  failureThreshold?: number;
  /** How long the circuit stays open before one trial call is let through. Default 10 s. */
  resetTimeoutMs?: number;
}

/**
 * What an error says about the upstream: `failure` (down or broken: counts toward opening),
 * `healthy` (it answered, e.g. a 404: ends the streak) or `neutral` (e.g. our own cancel).
 */
export type ErrorVerdict = 'failure' | 'healthy' | 'neutral';

/** What the breaker wraps: one logical call (all its retries included). */
type Call<T> = () => Promise<T>;

/** Where a breaker stands, for logs and readiness views. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * A circuit breaker (opossum) that opens after N CONSECUTIVE failures, fails fast with a
 * CircuitOpenError while open, and lets a single trial through after the reset timeout.
 */
export class ConsecutiveFailureBreaker {
  readonly #breaker: CircuitBreaker<[Call<unknown>], unknown>;
  readonly #upstream: string;
  #consecutiveFailures = 0;

  /** `judge` tells what an error means for the upstream's health. */
  constructor(upstream: string, options: BreakerOptions, judge: (error: unknown) => ErrorVerdict) {
    const threshold = options.failureThreshold ?? 5;
    if (!Number.isInteger(threshold) || threshold < 1) {
      throw new TypeError('breaker.failureThreshold must be a positive integer');
    }
    this.#upstream = upstream;
    this.#breaker = new CircuitBreaker((call: Call<unknown>) => call(), {
      name: upstream,
      // The client enforces its own per-attempt timeout; opossum's would cut retries short.
      timeout: false,
      resetTimeout: options.resetTimeoutMs ?? 10_000,
      // Opossum opens on an error percentage; we open on a streak instead (see 'failure').
      errorThresholdPercentage: 100,
      errorFilter: (error: unknown) => judge(error) !== 'failure',
    });
    // Opossum reports filtered errors as 'success' too; a neutral one must not end the streak.
    this.#breaker.on('success', (outcome: unknown) => {
      if (!(outcome instanceof Error) || judge(outcome) === 'healthy')
        this.#consecutiveFailures = 0;
    });
    this.#breaker.on('failure', () => {
      this.#consecutiveFailures++;
      if (this.#consecutiveFailures >= threshold && !this.#breaker.opened) this.#breaker.open();
    });
  }

  /** Runs `call` unless the circuit is open, in which case it throws CircuitOpenError. */
  async run<T>(call: Call<T>): Promise<T> {
    try {
      return (await this.#breaker.fire(call)) as T;
    } catch (error) {
      if ((error as { code?: unknown }).code === 'EOPENBREAKER') {
        throw new CircuitOpenError(this.#upstream);
      }
      throw error;
    }
  }

  get state(): BreakerState {
    if (this.#breaker.halfOpen) return 'half-open';
    return this.#breaker.opened ? 'open' : 'closed';
  }
}

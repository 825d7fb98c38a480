/** Who is trying to log in: both are throttled independently. */
export interface LoginAttempt {
  /** The normalised email tried (whether or not an account has it). */
  readonly account: string;
  /** The client address the request came from. */
  readonly address: string;
}

/**
 * Counts failed logins per account and per client address, across replicas. While either
 * count is over its limit, further attempts are refused without checking the password.
 */
export interface LoginThrottle {
  /** Seconds until the attempt may be tried, or 0 when it may go ahead now. */
  retryAfterSec(attempt: LoginAttempt): Promise<number>;
  /** Counts one failure against the account and the address, for the rest of the window. */
  recordFailure(attempt: LoginAttempt): Promise<void>;
}

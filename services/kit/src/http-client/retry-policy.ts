/** Methods whose repetition has the effect of one call (RFC 9110 §9.2.2), so retrying is safe. */
const IDEMPOTENT_METHODS = new Set(['GET', 'HEAD', 'PUT', 'DELETE', 'OPTIONS']);

/** Statuses that say "try again": a gateway or the service itself is momentarily unavailable. */
const RETRYABLE_STATUSES = new Set([502, 503, 504]);

/** True when a failed request with this method may be sent again. */
export function isIdempotent(method: string): boolean {
  return IDEMPOTENT_METHODS.has(method.toUpperCase());
}

/** True when an answer with this status is worth retrying. */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/**
 * "Full jitter" backoff (AWS architecture blog): a random delay in [0, min(cap, base * 2^n)),
 * which spreads retries of many clients instead of synchronising them.
 */
export function fullJitterDelayMs(attempt: number, baseMs: number, capMs: number): number {
  return Math.floor(Math.random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/** Milliseconds a `Retry-After` header asks us to wait (seconds or an HTTP date), if any. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

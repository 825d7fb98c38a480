// What an Ingress asks of the gateway for its paths, read from `shoal.dev/*` annotations.
// Parsing is strict: a bad annotation is reported and the Ingress is not served half-right.

/** Whether a route needs a verified bearer token. */
export type AuthMode = 'required' | 'optional' | 'none';

/** A rate limit: `points` requests per `durationSec`, per caller. */
export interface RateLimitSpec {
  points: number;
  durationSec: number;
  /** The annotation text, e.g. `100/m` (part of the Redis key, so changing it starts afresh). */
  text: string;
}

/** Per-route policy from annotations, with the gateway's defaults filled in. */
export interface RoutePolicy {
  auth: AuthMode;
  /** Undefined: no rate limit on this route. */
  rateLimit: RateLimitSpec | undefined;
  /** Upstream inactivity timeout (no bytes from the upstream for this long = 504). */
  timeoutMs: number;
  /** Largest request body let through, in bytes. */
  bodyLimitBytes: number;
  /** Origins allowed by CORS; empty = no CORS headers; `*` = any origin, without credentials. */
  corsOrigins: readonly string[];
  /**
   * `X-Shoal-*` request headers (lower case) this route lets clients send, e.g. a webhook's
   * public `x-shoal-signature`; every other `X-Shoal-*` is still dropped. Unset = none.
   */
  passHeaders?: readonly string[];
}

/** The annotation names this gateway reads. */
export const ANNOTATIONS = {
  auth: 'shoal.dev/auth',
  rateLimit: 'shoal.dev/rate-limit',
  timeout: 'shoal.dev/timeout',
  bodyLimit: 'shoal.dev/body-limit',
  corsOrigins: 'shoal.dev/cors-origins',
  passHeaders: 'shoal.dev/pass-headers',
} as const;

/** A `shoal.dev/*` annotation the gateway cannot honour. */
export class PolicyError extends Error {
  constructor(annotation: string, value: string, expected: string) {
    super(`annotation ${annotation}="${value}" is invalid: expected ${expected}`);
    this.name = 'PolicyError';
  }
}

const WINDOWS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };
const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  ki: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mi: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gi: 1024 ** 3,
};

/** Reads the policy annotations of one Ingress; throws PolicyError on the first bad one. */
export function parseRoutePolicy(
  annotations: Readonly<Record<string, string>> | undefined,
  defaults: RoutePolicy,
): RoutePolicy {
  const read = (name: string): string | undefined => {
    const value = annotations?.[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const auth = read(ANNOTATIONS.auth);
  const rateLimit = read(ANNOTATIONS.rateLimit);
  const timeout = read(ANNOTATIONS.timeout);
  const bodyLimit = read(ANNOTATIONS.bodyLimit);
  const cors = read(ANNOTATIONS.corsOrigins);
  const passHeaders = read(ANNOTATIONS.passHeaders);
  return {
    auth: auth === undefined ? defaults.auth : parseAuthMode(auth),
    rateLimit:
      rateLimit === undefined
        ? defaults.rateLimit
        : rateLimit === 'none'
          ? undefined
          : parseRateLimit(rateLimit),
    timeoutMs:
      timeout === undefined
        ? defaults.timeoutMs
        : parseDurationMs(timeout, ANNOTATIONS.timeout, 'a duration like 30s, 500ms or 2m'),
    bodyLimitBytes: bodyLimit === undefined ? defaults.bodyLimitBytes : parseByteSize(bodyLimit),
    corsOrigins: cors === undefined ? defaults.corsOrigins : parseCorsOrigins(cors),
    ...(passHeaders === undefined ? {} : { passHeaders: parsePassHeaders(passHeaders) }),
  };
}

/** `X-Shoal-Signature, X-Shoal-Delivery`: internal-prefixed headers a route lets clients send. */
export function parsePassHeaders(value: string): string[] {
  const names = value
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0 || names.some((name) => !/^x-shoal-[a-z0-9][a-z0-9-]*$/.test(name))) {
    throw new PolicyError(
      ANNOTATIONS.passHeaders,
      value,
      'comma-separated X-Shoal-* header names (only those are dropped by default)',
    );
  }
  return names;
}

/** `required`, `optional` or `none`. */
export function parseAuthMode(value: string): AuthMode {
  if (value === 'required' || value === 'optional' || value === 'none') return value;
  throw new PolicyError(ANNOTATIONS.auth, value, 'required, optional or none');
}

/** `100/m`, `10/s`, `5000/h`, `20/d` (also `100/1m`, `100/30s`). */
export function parseRateLimit(value: string): RateLimitSpec {
  const match = /^(\d{1,9})\s*\/\s*(\d{0,6})\s*([smhd])$/.exec(value);
  const points = Number(match?.[1]);
  const multiplier = match?.[2] === '' || match?.[2] === undefined ? 1 : Number(match[2]);
  const unit = WINDOWS[match?.[3] ?? ''];
  if (!match || unit === undefined || points < 1 || multiplier < 1) {
    throw new PolicyError(
      ANNOTATIONS.rateLimit,
      value,
      'requests per window like 100/m, 10/s, 5000/h or 100/30s (or none)',
    );
  }
  return { points, durationSec: multiplier * unit, text: value.replace(/\s+/g, '') };
}

/** `30s`, `500ms`, `2m`; a bare number is seconds (as nginx reads it). */
export function parseDurationMs(value: string, annotation: string, expected: string): number {
  const match = /^(\d{1,7})(ms|s|m)?$/.exec(value);
  const unit = DURATION_UNITS[match?.[2] ?? 's'];
  const ms = Number(match?.[1]) * (unit ?? NaN);
  if (!match || !Number.isFinite(ms) || ms < 1 || ms > 3_600_000) {
    throw new PolicyError(annotation, value, `${expected}, between 1 ms and 1 h`);
  }
  return ms;
}

/** `512`, `100kb`, `10m`, `1Gi` (binary units, as nginx's client_max_body_size). */
export function parseByteSize(value: string): number {
  const match = /^(\d{1,10})\s*([a-zA-Z]{0,2})$/.exec(value);
  const unit = SIZE_UNITS[(match?.[2] ?? '?').toLowerCase()];
  const bytes = Number(match?.[1]) * (unit ?? NaN);
  if (!match || !Number.isSafeInteger(bytes) || bytes < 1) {
    throw new PolicyError(ANNOTATIONS.bodyLimit, value, 'a size like 1m, 512kb or 1048576');
  }
  return bytes;
}

/** A comma-separated list of `https://host[:port]` origins, or `*`. */
export function parseCorsOrigins(value: string): string[] {
  const origins = value
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean);
  for (const origin of origins) {
    if (origin === '*') continue;
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (
      parsed === undefined ||
      !/^https?:$/.test(parsed.protocol) ||
      parsed.origin !== origin.replace(/\/$/, '')
    ) {
      throw new PolicyError(
        ANNOTATIONS.corsOrigins,
        value,
        'comma-separated origins like https://app.example.com (scheme://host[:port], no path), or *',
      );
    }
  }
  if (origins.includes('*') && origins.length > 1) {
    throw new PolicyError(ANNOTATIONS.corsOrigins, value, '* alone, or a list of origins');
  }
  return origins.map((origin) => origin.replace(/\/$/, ''));
}

import { z } from 'zod';
import { envTrustProxy } from './trust-proxy.ts';

/** Sizes like `100kb`, `1mb`, `512b` or a bare byte count, as Express body limits take them. */
const SIZE_PATTERN = /^(\d+)\s*(b|kb|mb)?$/i;
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** An integer env variable within [min, max]; the description is what the error line prints. */
export function envInteger(min: number, max: number) {
  return z.coerce.number().int().min(min).max(max).describe(`an integer between ${min} and ${max}`);
}

/** A byte size such as `100kb` or `1mb`, parsed to a number of bytes. */
export function envByteSize() {
  return z
    .string()
    .regex(SIZE_PATTERN)
    .transform((text) => {
      const [, amount, unit] = SIZE_PATTERN.exec(text) ?? [];
      return Number(amount) * (SIZE_UNITS[(unit ?? 'b').toLowerCase()] ?? 1);
    })
    .describe('a size like 512b, 100kb or 1mb');
}

/**
 * A variable turned into a value by the service's own parser (JSON lists, keys, policies...).
 * A value the parser throws on is invalid, and the config error line says it must be
 * `expected`.
 */
export function envParsedWith<T>(parse: (text: string) => T, expected: string) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return parse(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    })
    .describe(expected);
}

/** An absolute http(s) URL. */
export function envHttpUrl() {
  return z.url({ protocol: /^https?$/ }).describe('an http(s) URL like http://collector:4318');
}

/**
 * What every service reads from its environment. A service extends it with its own
 * variables: `baseConfigSchema.extend({ DATABASE_URL: z.url() })`.
 */
export const baseConfigSchema = z.object({
  SERVICE_NAME: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,62}$/)
    .describe('a lowercase name like "user" or "user-service"'),
  PORT: envInteger(1, 65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0').describe('a host or IP address to listen on'),
  LOG_LEVEL: z
    .enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'])
    .default('info')
    .describe('one of error, warn, info, http, verbose, debug, silly'),
  OTEL_EXPORTER_OTLP_ENDPOINT: envHttpUrl().optional(),
  /** How long to keep serving (while /readyz says 503) so endpoints drop the pod first. */
  SHUTDOWN_DELAY_MS: envInteger(0, 600_000).default(5000),
  /** The bound on draining in-flight requests and workers once the delay is over. */
  SHUTDOWN_TIMEOUT_MS: envInteger(1, 600_000).default(20_000),
  BODY_LIMIT: envByteSize().default(100 * 1024),
  /**
   * Which proxies in front may set X-Forwarded-For/-Proto/-Host (Express `trust proxy`), so
   * req.ip and rate-limit keys are the client's: off by default, e.g. `1` behind one ingress.
   * Text, so services that declared their own string TRUST_PROXY keep type-checking.
   */
  TRUST_PROXY: envTrustProxy().default('false'),
});

/** The parsed base configuration. */
export type BaseConfig = z.infer<typeof baseConfigSchema>;

import { z } from 'zod';

/** The zod metadata that marks a config variable as secret: `.meta({ secret: true })`. */
export const SECRET_META = { secret: true } as const;

/**
 * Marks a config variable as secret, e.g. `JWT_SIGNING_KEY: secret(z.string().min(32))`:
 * a bad value is then reported by its length only, never echoed into the error line (and so
 * into logs). Same as `schema.meta({ secret: true })`; wrap before `.optional()`/`.default()`
 * or after, either is seen.
 */
export function secret<Schema extends z.ZodType>(schema: Schema): Schema {
  return schema.meta(SECRET_META);
}

/** Whether this one schema (not its wrappers or inner types) carries the secret mark. */
export function isMarkedSecret(schema: z.ZodType): boolean {
  return (z.globalRegistry.get(schema) as { secret?: unknown } | undefined)?.secret === true;
}

import { z } from 'zod';
import { ReportRequestError } from '../domain/report-errors.ts';
import { INTERVALS, METRICS } from '../domain/report-metrics.ts';

/** An RFC 3339 timestamp with an offset (`2026-03-01T00:00:00Z`) or a date (`2026-03-01`, UTC). */
const timestamp = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()], {
    error: 'must be an RFC 3339 timestamp like 2026-03-01T00:00:00Z, or a date like 2026-03-01',
  })
  .transform((text) => new Date(text));

/** `?from=&to=` of the summary and events-by-type reports (both optional). */
export const rangeQuery = z.object({
  from: timestamp.optional(),
  to: timestamp.optional(),
});

/** `?metric=&interval=&from=&to=` of the time series report. */
export const timeseriesQuery = z.object({
  metric: z.enum(METRICS, { error: `must be one of ${METRICS.join(', ')}` }),
  interval: z.enum(INTERVALS, { error: `must be one of ${INTERVALS.join(', ')}` }).default('day'),
  from: timestamp.optional(),
  to: timestamp.optional(),
});

/**
 * Parses a query string with `schema`, refusing parameters it does not know first (a typo
 * like `metirc` would otherwise be ignored silently), with a 400 naming the parameter.
 */
export function parseQuery<Shape extends z.ZodRawShape>(
  schema: z.ZodObject<Shape>,
  query: unknown,
): z.output<z.ZodObject<Shape>> {
  const known = Object.keys(schema.shape);
  for (const name of Object.keys(query as Record<string, unknown>)) {
    if (!known.includes(name)) {
      throw new ReportRequestError(name, `unknown parameter ${name} (known: ${known.join(', ')})`);
    }
  }
  return schema.parse(query);
}

import { Router } from 'express';
import type { Request, RequestHandler, Response } from 'express';
import { HttpProblem, requireRole } from '@shoal/kit';
import { bucketLengthMs } from '../domain/buckets.ts';
import type { TimeRange } from '../domain/report-store.ts';
import type { Reports } from '../domain/reports.ts';
import { CSV_CONTENT_TYPE, toCsv } from './csv.ts';
import { parseQuery, rangeQuery, timeseriesQuery } from './request-schemas.ts';

/** Who may read reports. */
export const ADMIN_ROLE = 'admin';

/** How far back a time series reaches when `from` is not given, in buckets. */
const DEFAULT_SERIES_BUCKETS = { hour: 48, day: 30 } as const;

/** Summary, time series and events by type: admin only, JSON or CSV (`Accept: text/csv`). */
export function reportRoutes(reports: Reports, authenticate: RequestHandler): Router {
  const router = Router();
  router.use(['/summary', '/timeseries', '/events-by-type'], authenticate, requireRole(ADMIN_ROLE));

  router.get('/summary', async (req, res) => {
    const format = negotiate(req);
    const { range, totals } = await reports.summary(parseQuery(rangeQuery, req.query));
    if (format === 'csv') {
      const names = Object.keys(totals) as (keyof typeof totals)[];
      sendCsv(
        res,
        ['from', 'to', ...names],
        [[iso(range.from), iso(range.to), ...names.map((name) => totals[name])]],
      );
      return;
    }
    res.set('Cache-Control', 'no-store').json({ ...rangeJson(range), totals });
  });

  router.get('/timeseries', async (req, res) => {
    const format = negotiate(req);
    const query = parseQuery(timeseriesQuery, req.query);
    const to = query.to ?? new Date();
    const from =
      query.from ??
      new Date(
        to.getTime() - DEFAULT_SERIES_BUCKETS[query.interval] * bucketLengthMs(query.interval),
      );
    const series = await reports.timeseries({ ...query, from, to });
    const points = series.points.map((point) => ({
      bucket: point.bucket.toISOString(),
      value: point.value,
    }));
    if (format === 'csv') {
      sendCsv(
        res,
        ['bucket', series.metric],
        points.map((point) => [point.bucket, point.value]),
      );
      return;
    }
    res.set('Cache-Control', 'no-store').json({
      metric: series.metric,
      interval: series.interval,
      from: series.from.toISOString(),
      to: series.to.toISOString(),
      points,
    });
  });

  router.get('/events-by-type', async (req, res) => {
    const format = negotiate(req);
    const { range, types } = await reports.eventsByType(parseQuery(rangeQuery, req.query));
    if (format === 'csv') {
      sendCsv(
        res,
        ['type', 'count'],
        types.map((row) => [row.type, row.count]),
      );
      return;
    }
    res.set('Cache-Control', 'no-store').json({ ...rangeJson(range), types });
  });

  return router;
}

/** JSON unless the client prefers CSV; 406 when it accepts neither. */
function negotiate(req: Request): 'json' | 'csv' {
  const chosen = req.accepts(['application/json', 'text/csv']);
  if (chosen === false) {
    throw new HttpProblem(406, 'Not Acceptable', {
      detail: 'reports come as application/json or text/csv',
    });
  }
  return chosen === 'text/csv' ? 'csv' : 'json';
}

function sendCsv(
  res: Response,
  header: readonly string[],
  rows: readonly (readonly (string | number | null)[])[],
): void {
  res
    .status(200)
    .set('Cache-Control', 'no-store')
    .set('Content-Type', CSV_CONTENT_TYPE)
    .send(toCsv(header, rows));
}

function iso(time: Date | undefined): string | null {
  return time === undefined ? null : time.toISOString();
}

function rangeJson(range: TimeRange): { from: string | null; to: string | null } {
  return { from: iso(range.from), to: iso(range.to) };
}

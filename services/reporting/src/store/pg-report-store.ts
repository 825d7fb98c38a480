import type { Pool, PoolClient } from 'pg';
import { bucketStart } from '../domain/buckets.ts';
import type { EventFact } from '../domain/event-fact.ts';
import type { Interval, Metric } from '../domain/report-metrics.ts';
import type { ReportStore, SummaryTotals, TimeRange } from '../domain/report-store.ts';
import {
  activeUserIncrements,
  activeUsers,
  countIncrements,
  inLockOrder,
} from '../domain/rollup-increments.ts';
import type { ActiveUser } from '../domain/rollup-increments.ts';

/**
 * Facts and rollups in PostgreSQL. Every write is a few set-based statements over arrays
 * (unnest), whatever the batch size; rows are inserted in key order so concurrent batches
 * lock shared rollup rows in the same order and never deadlock.
 */
export class PgReportStore implements ReportStore {
  readonly #pool: Pool;

  constructor(pool: Pool) {
    this.#pool = pool;
  }

  async record(facts: readonly EventFact[]): Promise<{ recorded: number }> {
    const unique = [...new Map(facts.map((fact) => [fact.eventId, fact])).values()];
    if (unique.length === 0) return { recorded: 0 };
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      try {
        const recorded = await recordInTransaction(client, unique);
        await client.query('COMMIT');
        return { recorded };
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    } finally {
      client.release();
    }
  }

  async series(
    metric: Metric,
    interval: Interval,
    from: Date,
    to: Date,
  ): Promise<Map<number, number>> {
    const { rows } = await this.#pool.query<{ bucket: Date; value: string }>(
      `SELECT bucket, value FROM metric_rollups
        WHERE metric = $1 AND bucket_interval = $2 AND bucket >= $3 AND bucket < $4`,
      [metric, interval, from, to],
    );
    return new Map(rows.map((row) => [row.bucket.getTime(), Number(row.value)]));
  }

  async summary(range: TimeRange): Promise<SummaryTotals> {
    const interval = coarsestInterval(range);
    const bounds = [interval, range.from ?? null, range.to ?? null];
    const [counts, distinct] = await Promise.all([
      this.#pool.query<{ metric: string; total: string }>(
        `SELECT metric, sum(value) AS total FROM metric_rollups
          WHERE metric <> 'active_users' AND bucket_interval = $1 ${RANGE_FILTER}
          GROUP BY metric`,
        bounds,
      ),
      // Users active in several buckets count once: distinct over the (bucket, user) pairs.
      this.#pool.query<{ users: string }>(
        `SELECT count(DISTINCT user_id) AS users FROM active_users
          WHERE bucket_interval = $1 ${RANGE_FILTER}`,
        bounds,
      ),
    ]);
    const total = (metric: string) =>
      Number(counts.rows.find((row) => row.metric === metric)?.total ?? 0);
    return {
      events: total('events'),
      signups: total('signups'),
      logins: total('logins'),
      active_users: Number(distinct.rows[0]?.users ?? 0),
      notifications_sent: total('notifications_sent'),
      notifications_failed: total('notifications_failed'),
    };
  }

  async eventsByType(range: TimeRange): Promise<{ type: string; count: number }[]> {
    const { rows } = await this.#pool.query<{ type: string; count: string }>(
      `SELECT type, sum(count) AS count FROM event_type_rollups
        WHERE bucket_interval = $1 ${RANGE_FILTER}
        GROUP BY type ORDER BY sum(count) DESC, type`,
      [coarsestInterval(range), range.from ?? null, range.to ?? null],
    );
    return rows.map((row) => ({ type: row.type, count: Number(row.count) }));
  }
}

/** `$2` / `$3`: the optional ends of a range over `bucket`. */
const RANGE_FILTER =
  'AND ($2::timestamptz IS NULL OR bucket >= $2) AND ($3::timestamptz IS NULL OR bucket < $3)';

/** Day buckets when the range is made of whole days (fewer rows to add up), else hours. */
function coarsestInterval(range: TimeRange): Interval {
  const onDay = (time: Date | undefined) =>
    time === undefined || bucketStart(time, 'day').getTime() === time.getTime();
  return onDay(range.from) && onDay(range.to) ? 'day' : 'hour';
}

/** Inserts the facts not yet recorded and adds ONLY those to the rollups; returns how many. */
async function recordInTransaction(client: PoolClient, facts: EventFact[]): Promise<number> {
  const inserted = await client.query<{ event_id: string }>(
    `INSERT INTO event_facts (event_id, type, source, occurred_at, active_user_id)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[])
       AS fact (event_id, type, source, occurred_at, active_user_id)
     ORDER BY event_id
     ON CONFLICT (event_id) DO NOTHING
     RETURNING event_id`,
    [
      facts.map((fact) => fact.eventId),
      facts.map((fact) => fact.type),
      facts.map((fact) => fact.source),
      facts.map((fact) => fact.occurredAt),
      facts.map((fact) => fact.activeUserId),
    ],
  );
  const newIds = new Set(inserted.rows.map((row) => row.event_id));
  const fresh = facts.filter((fact) => newIds.has(fact.eventId));
  if (fresh.length === 0) return 0;

  const newlyActive = await insertActiveUsers(client, activeUsers(fresh));
  const counts = countIncrements(fresh);
  const metrics = inLockOrder([...counts.metrics, ...activeUserIncrements(newlyActive)]);
  await client.query(
    `INSERT INTO metric_rollups (metric, bucket_interval, bucket, value)
     SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::bigint[])
       AS row (metric, bucket_interval, bucket, value)
     ORDER BY metric, bucket_interval, bucket
     ON CONFLICT (metric, bucket_interval, bucket)
       DO UPDATE SET value = metric_rollups.value + EXCLUDED.value`,
    [
      metrics.map((row) => row.metric),
      metrics.map((row) => row.interval),
      metrics.map((row) => row.bucket),
      metrics.map((row) => row.amount),
    ],
  );
  await client.query(
    `INSERT INTO event_type_rollups (type, bucket_interval, bucket, count)
     SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::bigint[])
       AS row (type, bucket_interval, bucket, count)
     ORDER BY bucket_interval, bucket, type
     ON CONFLICT (bucket_interval, bucket, type)
       DO UPDATE SET count = event_type_rollups.count + EXCLUDED.count`,
    [
      counts.types.map((row) => row.type),
      counts.types.map((row) => row.interval),
      counts.types.map((row) => row.bucket),
      counts.types.map((row) => row.amount),
    ],
  );
  return fresh.length;
}

/** Inserts (bucket, user) pairs; returns those that were not there yet. */
async function insertActiveUsers(
  client: PoolClient,
  pairs: readonly ActiveUser[],
): Promise<ActiveUser[]> {
  if (pairs.length === 0) return [];
  const { rows } = await client.query<{ bucket_interval: Interval; bucket: Date; user_id: string }>(
    `INSERT INTO active_users (bucket_interval, bucket, user_id)
     SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[])
       AS pair (bucket_interval, bucket, user_id)
     ORDER BY bucket_interval, bucket, user_id
     ON CONFLICT DO NOTHING
     RETURNING bucket_interval, bucket, user_id`,
    [
      pairs.map((pair) => pair.interval),
      pairs.map((pair) => pair.bucket),
      pairs.map((pair) => pair.userId),
    ],
  );
  return rows.map((row) => ({
    interval: row.bucket_interval,
    bucket: row.bucket,
    userId: row.user_id,
  }));
}

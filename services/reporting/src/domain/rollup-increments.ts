import { bucketStart } from './buckets.ts';
import type { EventFact } from './event-fact.ts';
import { INTERVALS } from './report-metrics.ts';
import type { Interval, Metric } from './report-metrics.ts';

/** One rollup row to add `amount` to. */
export interface MetricIncrement {
  readonly metric: Metric;
  readonly interval: Interval;
  readonly bucket: Date;
  readonly amount: number;
}

/** One events-by-type rollup row to add `amount` to. */
export interface TypeIncrement {
  readonly type: string;
  readonly interval: Interval;
  readonly bucket: Date;
  readonly amount: number;
}

/** A user first seen active in a bucket (the store keeps these to count distinct users). */
export interface ActiveUser {
  readonly interval: Interval;
  readonly bucket: Date;
  readonly userId: string;
}

/**
 * Every counter facts newly recorded add to, summed per row and sorted by key: concurrent
 * writers then lock rollup rows in the same order and cannot deadlock each other.
 */
export function countIncrements(facts: readonly EventFact[]): {
  metrics: MetricIncrement[];
  types: TypeIncrement[];
} {
  const metrics = new Map<string, MetricIncrement>();
  const types = new Map<string, TypeIncrement>();
  const add = <Row extends { amount: number }>(rows: Map<string, Row>, key: string, row: Row) => {
    const existing = rows.get(key);
    rows.set(key, existing === undefined ? row : { ...existing, amount: existing.amount + 1 });
  };
  for (const fact of facts) {
    for (const interval of INTERVALS) {
      const bucket = bucketStart(fact.occurredAt, interval);
      for (const metric of ['events' as const, ...fact.counts]) {
        add(metrics, `${metric}\u0000${interval}\u0000${bucket.toISOString()}`, {
          metric,
          interval,
          bucket,
          amount: 1,
        });
      }
      add(types, `${fact.type}\u0000${interval}\u0000${bucket.toISOString()}`, {
        type: fact.type,
        interval,
        bucket,
        amount: 1,
      });
    }
  }
  return { metrics: sortedValues(metrics), types: sortedValues(types) };
}

/** The (bucket, user) pairs the facts make active, one per pair, sorted by key. */
export function activeUsers(facts: readonly EventFact[]): ActiveUser[] {
  const pairs = new Map<string, ActiveUser>();
  for (const fact of facts) {
    if (fact.activeUserId === null) continue;
    for (const interval of INTERVALS) {
      const bucket = bucketStart(fact.occurredAt, interval);
      pairs.set(`${interval}\u0000${bucket.toISOString()}\u0000${fact.activeUserId}`, {
        interval,
        bucket,
        userId: fact.activeUserId,
      });
    }
  }
  return sortedValues(pairs);
}

/** Metric increments in lock order (metric, interval, bucket), whatever lists they came from. */
export function inLockOrder(increments: readonly MetricIncrement[]): MetricIncrement[] {
  const key = (row: MetricIncrement) =>
    `${row.metric}\u0000${row.interval}\u0000${row.bucket.toISOString()}`;
  return [...increments].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** New active (bucket, user) pairs as increments of the active_users rollup. */
export function activeUserIncrements(newlyActive: readonly ActiveUser[]): MetricIncrement[] {
  const rows = new Map<string, MetricIncrement>();
  for (const { interval, bucket } of newlyActive) {
    const key = `active_users\u0000${interval}\u0000${bucket.toISOString()}`;
    const existing = rows.get(key);
    rows.set(key, {
      metric: 'active_users',
      interval,
      bucket,
      amount: (existing?.amount ?? 0) + 1,
    });
  }
  return sortedValues(rows);
}

function sortedValues<Row>(rows: Map<string, Row>): Row[] {
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

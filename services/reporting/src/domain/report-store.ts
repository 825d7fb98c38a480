import type { EventFact } from './event-fact.ts';
import type { Interval, Metric } from './report-metrics.ts';

/** A time range [from, to); an open end is unbounded. */
export interface TimeRange {
  readonly from?: Date;
  readonly to?: Date;
}

/** Totals over a range. */
export interface SummaryTotals {
  readonly events: number;
  readonly signups: number;
  readonly logins: number;
  /** Distinct users who acted in the range (exact). */
  readonly active_users: number;
  readonly notifications_sent: number;
  readonly notifications_failed: number;
}

/** Where facts and rollups live (PostgreSQL in production and in tests). */
export interface ReportStore {
  /**
   * Records facts idempotently by event id: facts already recorded change nothing. Facts and
   * the rollups they add to are written in ONE transaction. Resolves with how many were new.
   */
  record(facts: readonly EventFact[]): Promise<{ recorded: number }>;
  /** Non-zero values of `metric` per bucket starting in [from, to). */
  series(metric: Metric, interval: Interval, from: Date, to: Date): Promise<Map<number, number>>;
  /** Totals over the whole hours in the range. */
  summary(range: TimeRange): Promise<SummaryTotals>;
  /** Event counts per type over the whole hours in the range, largest first. */
  eventsByType(range: TimeRange): Promise<{ type: string; count: number }[]>;
}

import { bucketCeiling, bucketStart, bucketStarts, bucketLengthMs } from './buckets.ts';
import { ReportRequestError } from './report-errors.ts';
import type { Interval, Metric } from './report-metrics.ts';
import type { ReportStore, SummaryTotals, TimeRange } from './report-store.ts';

/** One point of a time series: the bucket's start and its value. */
export interface SeriesPoint {
  readonly bucket: Date;
  readonly value: number;
}

/** A time series, every bucket of the range present (zeros included). */
export interface TimeSeries {
  readonly metric: Metric;
  readonly interval: Interval;
  /** The range actually covered: `from` floored, `to` ceiled to bucket boundaries. */
  readonly from: Date;
  readonly to: Date;
  readonly points: readonly SeriesPoint[];
}

/** The reports admins read: summary, time series, events by type. */
export class Reports {
  readonly #store: ReportStore;
  readonly #maxBuckets: number;

  constructor(options: { store: ReportStore; maxBuckets: number }) {
    this.#store = options.store;
    this.#maxBuckets = options.maxBuckets;
  }

  /** `metric` per bucket over [from, to), widened to whole buckets; refuses inverted or huge ranges. */
  async timeseries(query: {
    metric: Metric;
    interval: Interval;
    from: Date;
    to: Date;
  }): Promise<TimeSeries> {
    checkOrder(query);
    const from = bucketStart(query.from, query.interval);
    const to = bucketCeiling(query.to, query.interval);
    const buckets = (to.getTime() - from.getTime()) / bucketLengthMs(query.interval);
    if (buckets > this.#maxBuckets) {
      throw new ReportRequestError(
        'to',
        `the range spans ${buckets} ${query.interval} buckets; at most ${this.#maxBuckets} per request`,
      );
    }
    const values = await this.#store.series(query.metric, query.interval, from, to);
    return {
      metric: query.metric,
      interval: query.interval,
      from,
      to,
      points: bucketStarts(from, to, query.interval).map((bucket) => ({
        bucket,
        value: values.get(bucket.getTime()) ?? 0,
      })),
    };
  }

  /** Totals over the range, widened to whole hours (an open end is unbounded). */
  async summary(range: TimeRange): Promise<{ range: TimeRange; totals: SummaryTotals }> {
    const hours = wholeHours(range);
    return { range: hours, totals: await this.#store.summary(hours) };
  }

  /** Events per type over the range, widened to whole hours, largest first. */
  async eventsByType(
    range: TimeRange,
  ): Promise<{ range: TimeRange; types: { type: string; count: number }[] }> {
    const hours = wholeHours(range);
    return { range: hours, types: await this.#store.eventsByType(hours) };
  }
}

function checkOrder(range: TimeRange): void {
  if (range.from !== undefined && range.to !== undefined && range.from >= range.to) {
    throw new ReportRequestError('from', 'from must be before to');
  }
}

function wholeHours(range: TimeRange): TimeRange {
  checkOrder(range);
  return {
    ...(range.from === undefined ? {} : { from: bucketStart(range.from, 'hour') }),
    ...(range.to === undefined ? {} : { to: bucketCeiling(range.to, 'hour') }),
  };
}

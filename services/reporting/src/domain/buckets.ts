import type { Interval } from './report-metrics.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** Length of one bucket in milliseconds (UTC has no daylight saving: days are 24 h). */
export function bucketLengthMs(interval: Interval): number {
  return interval === 'hour' ? HOUR_MS : DAY_MS;
}

/** The start of the UTC hour or day `time` falls in. */
export function bucketStart(time: Date, interval: Interval): Date {
  const length = bucketLengthMs(interval);
  return new Date(Math.floor(time.getTime() / length) * length);
}

/** The start of the first bucket at or after `time` (`time` itself when on a boundary). */
export function bucketCeiling(time: Date, interval: Interval): Date {
  const length = bucketLengthMs(interval);
  return new Date(Math.ceil(time.getTime() / length) * length);
}

/** Every bucket start in [from, to), `from` and `to` on bucket boundaries. */
export function bucketStarts(from: Date, to: Date, interval: Interval): Date[] {
  const length = bucketLengthMs(interval);
  const starts: Date[] = [];
  for (let time = from.getTime(); time < to.getTime(); time += length) starts.push(new Date(time));
  return starts;
}

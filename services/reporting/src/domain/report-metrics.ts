/** What a time series can count, per bucket of event time. */
export const METRICS = [
  'events',
  'signups',
  'logins',
  'active_users',
  'notifications_sent',
  'notifications_failed',
] as const;
export type Metric = (typeof METRICS)[number];

/** Bucket widths, in UTC. */
export const INTERVALS = ['hour', 'day'] as const;
export type Interval = (typeof INTERVALS)[number];

/** Metrics that are plain counts of events (active_users counts distinct users instead). */
export type CountedMetric = Exclude<Metric, 'active_users'>;

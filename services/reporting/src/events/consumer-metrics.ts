import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';

/** What happened to a consumed message, as counted on /metrics. */
export type ConsumeOutcome = 'recorded' | 'poison' | 'failed';

/** The consumer's counters on /metrics. */
export interface ConsumerMetrics {
  /** `reporting_events_consumed_total{outcome}` */
  consumed(outcome: ConsumeOutcome): void;
  /** `reporting_write_retries_total`: write batches retried because the database was away. */
  writeRetried(): void;
}

/** Registers the consumer's counters on the service's registry. */
export function createConsumerMetrics(registry: Registry): ConsumerMetrics {
  const consumed = new Counter({
    name: 'reporting_events_consumed_total',
    help: 'Messages of reporting-events handled: recorded (new or duplicate), poison, failed',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const retries = new Counter({
    name: 'reporting_write_retries_total',
    help: 'Write batches retried because the database was unavailable',
    registers: [registry],
  });
  return {
    consumed: (outcome) => consumed.inc({ outcome }),
    writeRetried: () => retries.inc(),
  };
}

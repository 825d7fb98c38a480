import { Counter } from 'prom-client';
import type { Registry } from 'prom-client';

/** What happened to a consumed message, as counted on /metrics. */
export type ConsumeOutcome = 'recorded' | 'poison' | 'failed';

/** `reporting_events_consumed_total{outcome}` on the service's registry. */
export function createConsumerMetrics(registry: Registry): (outcome: ConsumeOutcome) => void {
  const consumed = new Counter({
    name: 'reporting_events_consumed_total',
    help: 'Messages of reporting-events handled: recorded (new or duplicate), poison, failed',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  return (outcome) => consumed.inc({ outcome });
}

import type { CloudEvent } from '@shoal/kit';
import type { Registry } from 'prom-client';
import { Counter, Histogram } from 'prom-client';
import type { NotifyResult } from '../domain/notifier.ts';

/** The service's own metrics, on the kit's per-service registry (served at /metrics). */
export interface NotificationMetrics {
  /** Counts one handled event: its outcome per channel, and its lag from event time. */
  handled(event: CloudEvent, result: NotifyResult): void;
  /** Counts a handler failure (the message will be redelivered). */
  failed(): void;
}

/** Registers the counters and the lag histogram. */
export function createNotificationMetrics(registry: Registry): NotificationMetrics {
  const registers = [registry];
  const deliveries = new Counter({
    name: 'notification_deliveries_total',
    help: 'Channel outcomes of handled events (sent, already-done, skipped-preference, failed, taken-over-and-sent)',
    labelNames: ['channel', 'outcome'] as const,
    registers,
  });
  const ignored = new Counter({
    name: 'notification_events_ignored_total',
    help: 'Consumed events that notify nobody (no template, untrusted source, no recipient)',
    labelNames: ['type'] as const,
    registers,
  });
  const failures = new Counter({
    name: 'notification_handler_failures_total',
    help: 'Events whose handling failed and which SQS will redeliver',
    registers,
  });
  const lag = new Histogram({
    name: 'notification_event_lag_seconds',
    help: 'From the event time to the end of its handling (email accepted, inbox item stored)',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
    registers,
  });
  return {
    handled(event, result) {
      if (result.kind === 'ignored') {
        ignored.inc({ type: event.type.startsWith('integration.') ? 'integration.*' : event.type });
        return;
      }
      for (const [channel, outcome] of Object.entries(result.outcomes)) {
        deliveries.inc({ channel, outcome });
      }
      const time = event.time === undefined ? Number.NaN : Date.parse(event.time);
      if (Number.isFinite(time)) lag.observe(Math.max(0, (Date.now() - time) / 1000));
    },
    failed: () => failures.inc(),
  };
}

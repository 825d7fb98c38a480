import type { Registry } from 'prom-client';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Logger } from '@shoal/kit';
import type { HubObserver } from '../domain/event-hub.ts';
import type { DeadLetters } from './dead-letters.ts';
import type { QueuePair } from './queues.ts';

/** The hub's metrics on the service's registry (served at /metrics by the kit). */
export interface HubMetrics {
  readonly observer: HubObserver;
  /** Counts an event refused for breaking its contract. */
  rejected(type: string): void;
}

/**
 * events_ingested_total{type}, events_duplicates_total{type}, events_rejected_total{type},
 * event_fanout_lag_seconds{subscription} (event time to arrival on the subscriber queue) and
 * event_dead_letter_depth{queue}, read from SQS at each scrape.
 */
export function createHubMetrics(options: {
  registry: Registry;
  deadLetters: DeadLetters;
  queues: () => ReadonlyMap<string, QueuePair>;
  logger: Logger;
}): HubMetrics {
  const registers = [options.registry];
  const ingested = new Counter({
    name: 'events_ingested_total',
    help: 'Events stored in the log, by type',
    labelNames: ['type'],
    registers,
  });
  const duplicates = new Counter({
    name: 'events_duplicates_total',
    help: 'Events received again after they were stored and fanned out, by type',
    labelNames: ['type'],
    registers,
  });
  const rejected = new Counter({
    name: 'events_rejected_total',
    help: 'Events refused for breaking their contract, by type',
    labelNames: ['type'],
    registers,
  });
  const lag = new Histogram({
    name: 'event_fanout_lag_seconds',
    help: "From an event's own time to its arrival on a subscriber queue",
    labelNames: ['subscription'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers,
  });
  new Gauge({
    name: 'event_dead_letter_depth',
    help: 'Messages waiting in each dead-letter queue (approximate, read at scrape)',
    labelNames: ['queue'],
    registers,
    async collect() {
      this.reset();
      await Promise.all(
        [...options.queues().values()].map(async (pair) => {
          try {
            this.set({ queue: pair.deadLetterQueue }, await options.deadLetters.depth(pair));
          } catch (error) {
            options.logger.warn('reading a dead-letter queue depth failed', {
              queue: pair.deadLetterQueue,
              error: (error as Error).message,
            });
          }
        }),
      );
    },
  });
  return {
    observer: {
      ingested: (type) => ingested.inc({ type }),
      duplicate: (type) => duplicates.inc({ type }),
      fannedOut: (subscription, lagMs) => lag.observe({ subscription }, Math.max(0, lagMs) / 1000),
    },
    rejected: (type) => rejected.inc({ type }),
  };
}

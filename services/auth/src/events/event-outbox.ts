import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  createCloudEvent,
  enqueueOutbox,
  ensureOutboxTable,
  PgOutboxRelay,
  queueUrlResolver,
  SqsPublisher,
} from '@shoal/kit';
import type { CloudEvent, Logger, Worker } from '@shoal/kit';
import type { Pool } from 'pg';
import type { OutboxWriter } from '../store/pg-auth-store.ts';
import { EVENT_SOURCE } from './auth-events.ts';
import type { AuthEvent } from './auth-events.ts';

/** How the service's events reach the queue: written in-transaction, relayed after commit. */
export interface EventOutbox {
  /** Creates the kit's outbox table (run under the migration lock). */
  ensureTable(): Promise<void>;
  /** Writes events in the caller's transaction. */
  readonly write: OutboxWriter;
  /** Publishes committed events to the queue; the kit's lifecycle starts and stops it. */
  readonly relay: Worker;
}

export interface EventOutboxOptions {
  readonly pool: Pool;
  readonly sqs: SQSClient;
  /** The queue every auth event goes to (`platform-events`). */
  readonly queueName: string;
  readonly logger?: Logger;
}

/** Wraps a domain event in its CloudEvents 1.0 envelope (source `/shoal/auth`). */
export function toCloudEvent(event: AuthEvent): CloudEvent {
  return createCloudEvent({
    type: event.type,
    source: EVENT_SOURCE,
    subject: event.subject,
    data: event.data,
  });
}

/** The kit's PostgreSQL outbox (`enqueueOutbox` + `PgOutboxRelay`) wired for auth events. */
export function createEventOutbox(options: EventOutboxOptions): EventOutbox {
  const { pool, sqs, queueName } = options;
  return {
    ensureTable: () => ensureOutboxTable(pool),
    write: (client, events: readonly AuthEvent[]) =>
      enqueueOutbox(
        client,
        events.map((event) => ({ queue: queueName, event: toCloudEvent(event) })),
      ),
    relay: new PgOutboxRelay({
      pool,
      publisher: new SqsPublisher({ client: sqs }),
      resolveQueueUrl: queueUrlResolver(sqs, {}, { createMissing: true }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    }),
  };
}

import type { SQSClient } from '@aws-sdk/client-sqs';
import {
  createCloudEvent,
  enqueueOutbox,
  ensureOutboxTable,
  ensureQueues,
  PgOutboxRelay,
  SqsPublisher,
} from '@shoal/kit';
import type { CloudEvent, Logger, QueueUrlResolver, Worker } from '@shoal/kit';
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

/**
 * Creates the queue on first use (idempotent), so events written while SQS was away or
 * before anyone provisioned the queue still go out once it answers. A failed attempt is
 * retried at the relay's next round.
 */
function creatingQueueResolver(sqs: SQSClient): QueueUrlResolver {
  const urls = new Map<string, Promise<string>>();
  return (queue) => {
    let url = urls.get(queue);
    if (url === undefined) {
      url = ensureQueues(sqs, [{ name: queue }]).then((created) => {
        const found = created[queue];
        if (found === undefined) throw new Error(`no URL for queue ${queue}`);
        return found;
      });
      url.catch(() => urls.delete(queue));
      urls.set(queue, url);
    }
    return url;
  };
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
      resolveQueueUrl: creatingQueueResolver(sqs),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    }),
  };
}

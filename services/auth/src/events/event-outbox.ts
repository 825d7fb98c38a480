import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Worker } from '@shoal/kit';
import type { Pool, PoolClient } from 'pg';
import type { OutboxWriter } from '../store/pg-auth-store.ts';
import { EVENT_SOURCE } from './auth-events.ts';
import type { AuthEvent } from './auth-events.ts';

/** A CloudEvents 1.0 JSON envelope as it goes on the queue. */
export interface CloudEventEnvelope {
  readonly specversion: '1.0';
  readonly id: string;
  readonly source: string;
  readonly type: string;
  readonly subject: string;
  readonly time: string;
  readonly datacontenttype: 'application/json';
  readonly data: unknown;
}

/** How the service's events reach the queue: written in-transaction, relayed after commit. */
export interface EventOutbox {
  /** Creates the outbox table (run under the migration lock). */
  ensureTable(): Promise<void>;
  /** Writes events in the caller's transaction. */
  readonly write: OutboxWriter;
  /** Publishes committed events to the queue; the kit's lifecycle starts and stops it. */
  readonly relay: Worker;
}

export interface EventOutboxOptions {
  readonly pool: Pool;
  readonly sqs: SQSClient;
  readonly queueName: string;
  /** Pause between polls when the outbox is empty. */
  readonly pollIntervalMs?: number;
}

/** Wraps a domain event in its CloudEvents envelope. */
export function toCloudEvent(event: AuthEvent, now = new Date()): CloudEventEnvelope {
  return {
    specversion: '1.0',
    id: randomUUID(),
    source: EVENT_SOURCE,
    type: event.type,
    subject: event.subject,
    time: now.toISOString(),
    datacontenttype: 'application/json',
    data: event.data,
  };
}

const BATCH = 10; // SQS SendMessageBatch maximum

/**
 * STAND-IN for the kit's PostgreSQL outbox (`enqueueOutbox` + `PgOutboxRelay`), which was
 * not there yet when this service was written; same contract, so switching is local to
 * this file. Rows are claimed with FOR UPDATE SKIP LOCKED so several replicas relay
 * without publishing a row twice; a failed publish leaves rows pending for the next poll.
 */
export function createEventOutbox(options: EventOutboxOptions): EventOutbox {
  const { pool, sqs, queueName } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 250;
  let queueUrl: string | undefined;
  let running = false;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;

  async function relayOnce(): Promise<number> {
    queueUrl ??= (await sqs.send(new CreateQueueCommand({ QueueName: queueName }))).QueueUrl;
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const rows = await client.query<{ id: string; payload: CloudEventEnvelope }>(
        `SELECT id, payload FROM auth_event_outbox WHERE published_at IS NULL
          ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH],
      );
      if (rows.rows.length > 0) {
        const result = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: rows.rows.map((row, index) => ({
              Id: String(index),
              MessageBody: JSON.stringify(row.payload),
              MessageAttributes: {
                'ce-type': { DataType: 'String', StringValue: row.payload.type },
              },
            })),
          }),
        );
        const sent = (result.Successful ?? []).map((entry) => rows.rows[Number(entry.Id)]?.id);
        await client.query(
          'UPDATE auth_event_outbox SET published_at = now() WHERE id = ANY($1::uuid[])',
          [sent],
        );
      }
      await client.query('COMMIT');
      return rows.rows.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async function run(): Promise<void> {
    while (running) {
      // SQS or PostgreSQL away: rows stay pending, try again after a pause.
      const relayed = await relayOnce().catch(() => 0);
      if (relayed === 0 && running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollIntervalMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
    }
  }

  return {
    async ensureTable() {
      await pool.query(`
        CREATE TABLE IF NOT EXISTS auth_event_outbox (
          id uuid PRIMARY KEY,
          seq bigint GENERATED ALWAYS AS IDENTITY,
          payload jsonb NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          published_at timestamptz
        );
        CREATE INDEX IF NOT EXISTS auth_event_outbox_pending
          ON auth_event_outbox (seq) WHERE published_at IS NULL;`);
    },
    async write(client: PoolClient, events: readonly AuthEvent[]) {
      for (const event of events) {
        const envelope = toCloudEvent(event);
        await client.query('INSERT INTO auth_event_outbox (id, payload) VALUES ($1, $2)', [
          envelope.id,
          JSON.stringify(envelope),
        ]);
      }
    },
    relay: {
      start() {
        if (running) return;
        running = true;
        loop = run();
      },
      async stop() {
        running = false;
        wake?.();
        await loop;
      },
    },
  };
}

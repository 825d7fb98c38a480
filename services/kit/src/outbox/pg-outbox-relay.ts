import type { Notification, Pool, PoolClient } from 'pg';
import type { Worker } from '../lifecycle/worker.ts';
import type { Logger } from '../logger/logger.ts';
import type { CloudEvent } from '../messaging/cloud-event.ts';
import type { SqsPublisher } from '../messaging/sqs-publisher.ts';
import { publishGrouped } from './publish-grouped.ts';
import { outboxChannel, outboxTable } from './pg-outbox.ts';
import type { QueueUrlResolver } from './queue-url-resolver.ts';
import { RelayLoop } from './relay-loop.ts';

export interface PgOutboxRelayOptions {
  pool: Pool;
  publisher: SqsPublisher;
  resolveQueueUrl: QueueUrlResolver;
  /** Default `outbox`. */
  table?: string;
  /** Rows claimed per transaction. Default 100. */
  batchSize?: number;
  /** How often to look for rows when nothing notified us. Default 1 s. */
  pollIntervalMs?: number;
  /** Wake on NOTIFY from enqueueOutbox (holds one pool connection). Default true. */
  listen?: boolean;
  /** Delete rows once published instead of stamping published_at. Default false. */
  deletePublished?: boolean;
  /** Published rows older than this are purged (when not deleted at once). Default 24 h. */
  retainPublishedMs?: number;
  /** First retry delay of a row that failed to publish; doubles per attempt. Default 1 s. */
  retryBaseDelayMs?: number;
  /** Cap on that delay. Default 60 s. */
  retryMaxDelayMs?: number;
  /** How long stop() waits for the batch in flight. Default 15 s. */
  stopTimeoutMs?: number;
  logger?: Logger;
}

const PURGE_EVERY_MS = 60_000;

/**
 * Publishes a PostgreSQL outbox to SQS. Each round claims pending rows with
 * `FOR UPDATE SKIP LOCKED` in a transaction, publishes them, and marks them published in that
 * same transaction, so concurrent relays never publish the same row twice and a crash
 * mid-round only means those rows are published again (at least once; ids are stable).
 */
export class PgOutboxRelay implements Worker {
  readonly stats = { rounds: 0, published: 0, failed: 0 };
  readonly #options: PgOutboxRelayOptions;
  readonly #table: string;
  readonly #batchSize: number;
  readonly #loop: RelayLoop;
  #listenRetryAt = 0;
  #listener: PoolClient | undefined;
  #lastPurge = 0;

  constructor(options: PgOutboxRelayOptions) {
    this.#options = options;
    this.#table = outboxTable({ table: options.table });
    this.#batchSize = options.batchSize ?? 100;
    if (!Number.isInteger(this.#batchSize) || this.#batchSize < 1) {
      throw new TypeError('PgOutboxRelay: batchSize must be a positive integer');
    }
    // LISTEN keeps one connection for good; the rounds need another, or they would wait forever.
    if (options.listen !== false && (options.pool.options.max ?? 10) < 2) {
      throw new TypeError('PgOutboxRelay: with listen on, the pool needs max >= 2 connections');
    }
    this.#loop = new RelayLoop({
      round: () => this.#round(),
      pollIntervalMs: options.pollIntervalMs ?? 1_000,
      stopTimeoutMs: options.stopTimeoutMs ?? 15_000,
      logContext: { table: this.#table },
      logger: options.logger,
    });
  }

  start(): void {
    this.#loop.start();
  }

  /** Looks for pending rows now instead of at the next poll. */
  wake(): void {
    this.#loop.wake();
  }

  /** Stops claiming rows and waits (bounded) for the round in flight to commit. */
  async stop(): Promise<void> {
    if (!this.#loop.running) return;
    await this.#loop.stop();
    this.#unlisten();
  }

  /** Listens for NOTIFY when it can, relays one batch, purges; true when the batch was full. */
  async #round(): Promise<boolean> {
    if (
      this.#options.listen !== false &&
      this.#listener === undefined &&
      Date.now() >= this.#listenRetryAt
    ) {
      await this.#listen();
    }
    const claimed = await this.#relayOnce();
    await this.#purgeOld();
    this.stats.rounds++;
    // A full batch means there is probably more: go again at once.
    return claimed >= this.#batchSize;
  }

  /** One transaction: claim, publish, record. Returns how many rows were claimed. */
  async #relayOnce(): Promise<number> {
    const client = await this.#options.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ id: string; queue: string; payload: CloudEvent }>(
        `SELECT id, queue, payload FROM ${this.#table}
          WHERE published_at IS NULL AND next_attempt_at <= now()
          ORDER BY seq LIMIT $1
          FOR UPDATE SKIP LOCKED`,
        [this.#batchSize],
      );
      if (rows.length > 0) {
        const outcome = await publishGrouped(
          this.#options.publisher,
          this.#options.resolveQueueUrl,
          rows.map((row) => ({ queue: row.queue, event: row.payload, rowId: row.id })),
        );
        await this.#record(
          client,
          outcome.published.map((entry) => entry.rowId),
          new Map([...outcome.failed].map(([entry, reason]) => [entry.rowId, reason])),
        );
        await client.query('COMMIT');
        // Counted after COMMIT, so whoever reads the stats also sees the rows say so.
        this.stats.published += outcome.published.length;
        this.stats.failed += outcome.failed.size;
      } else {
        await client.query('COMMIT');
      }
      return rows.length;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async #record(
    client: PoolClient,
    published: string[],
    failed: Map<string, string>,
  ): Promise<void> {
    if (published.length > 0) {
      await client.query(
        this.#options.deletePublished
          ? `DELETE FROM ${this.#table} WHERE id = ANY($1)`
          : `UPDATE ${this.#table} SET published_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = ANY($1)`,
        [published],
      );
    }
    if (failed.size > 0) {
      const reason = [...failed.values()][0] ?? 'unknown';
      await client.query(
        `UPDATE ${this.#table}
            SET attempts = attempts + 1,
                last_error = $2,
                next_attempt_at = now() + least($4::float8, $3::float8 * power(2, attempts)) * interval '1 millisecond'
          WHERE id = ANY($1)`,
        [
          [...failed.keys()],
          reason,
          this.#options.retryBaseDelayMs ?? 1_000,
          this.#options.retryMaxDelayMs ?? 60_000,
        ],
      );
      this.#options.logger?.warn('outbox events not published yet; will retry', {
        table: this.#table,
        count: failed.size,
        error: reason,
      });
    }
  }

  async #purgeOld(): Promise<void> {
    if (this.#options.deletePublished || Date.now() - this.#lastPurge < PURGE_EVERY_MS) return;
    this.#lastPurge = Date.now();
    await this.#options.pool.query(
      `DELETE FROM ${this.#table} WHERE published_at < now() - $1::float8 * interval '1 millisecond'`,
      [this.#options.retainPublishedMs ?? 24 * 3_600_000],
    );
  }

  async #listen(): Promise<void> {
    let client: PoolClient | undefined;
    try {
      client = await this.#options.pool.connect();
      client.on('notification', (message: Notification) => {
        if (message.channel === outboxChannel(this.#table)) this.wake();
      });
      client.on('error', (error: Error) => {
        // Fall back to polling; a later round listens again.
        this.#options.logger?.warn('outbox LISTEN connection lost', { error: error.message });
        this.#unlisten();
      });
      await client.query(`LISTEN ${outboxChannel(this.#table)}`);
      this.#listener = client;
    } catch (error) {
      client?.release(true);
      this.#listenRetryAt = Date.now() + 30_000;
      this.#options.logger?.warn('outbox relay cannot LISTEN; polling only', {
        error: (error as Error).message,
      });
    }
  }

  #unlisten(): void {
    // Destroy rather than return it to the pool: a pooled connection must not keep listening.
    this.#listener?.release(true);
    this.#listener = undefined;
  }
}

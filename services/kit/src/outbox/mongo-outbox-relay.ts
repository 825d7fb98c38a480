import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Collection, Document } from 'mongodb';
import type { Worker } from '../lifecycle/worker.ts';
import type { Logger } from '../logger/logger.ts';
import type { SqsPublisher } from '../messaging/sqs-publisher.ts';
import type { MongoOutboxEntry, OutboxFields } from './mongo-outbox.ts';
import { publishGrouped } from './publish-grouped.ts';
import type { QueueUrlResolver } from './queue-url-resolver.ts';
import { RelayLoop } from './relay-loop.ts';

/** What the relay reads and writes of a document. */
type OutboxDocument = OutboxFields & { _id: unknown };

export interface MongoOutboxRelayOptions {
  /** The collection whose documents carry `_outbox` arrays. */
  collection: Collection<Document>;
  publisher: SqsPublisher;
  resolveQueueUrl: QueueUrlResolver;
  /** Who holds leases; unique per process by default. */
  owner?: string;
  /** How long a claimed document is ours. Must exceed a publish round. Default 30 s. */
  leaseMs?: number;
  /** How often to look for documents with pending events. Default 1 s. */
  pollIntervalMs?: number;
  /** First retry delay of a document whose events failed to publish; doubles. Default 1 s. */
  retryBaseDelayMs?: number;
  /** Cap on that delay. Default 60 s. */
  retryMaxDelayMs?: number;
  /** How long stop() waits for the document in flight. Default 15 s. */
  stopTimeoutMs?: number;
  logger?: Logger;
}

/**
 * Publishes the events kept inside MongoDB documents (no multi-document transactions needed).
 * A relay claims one document at a time with a lease (`_outboxLease`, taken only when absent or
 * expired), publishes its events, then pulls exactly the published entries and drops the lease.
 * Events pushed meanwhile stay for the next round. Delivery is at least once, ids are stable.
 */
export class MongoOutboxRelay implements Worker {
  readonly stats = { published: 0, failed: 0, claims: 0, lostClaims: 0 };
  readonly #options: MongoOutboxRelayOptions;
  readonly #owner: string;
  readonly #leaseMs: number;
  readonly #loop: RelayLoop;

  constructor(options: MongoOutboxRelayOptions) {
    this.#options = options;
    this.#owner = options.owner ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
    this.#leaseMs = options.leaseMs ?? 30_000;
    if (!(this.#leaseMs > 0)) throw new TypeError('MongoOutboxRelay: leaseMs must be positive');
    this.#loop = new RelayLoop({
      round: () => this.#relayOne(),
      pollIntervalMs: options.pollIntervalMs ?? 1_000,
      stopTimeoutMs: options.stopTimeoutMs ?? 15_000,
      logContext: { collection: options.collection.collectionName },
      logger: options.logger,
    });
  }

  start(): void {
    this.#loop.start();
  }

  /** Looks for pending events now instead of at the next poll (call after writing some). */
  wake(): void {
    this.#loop.wake();
  }

  /** Stops claiming documents and waits (bounded) for the one in flight. */
  async stop(): Promise<void> {
    await this.#loop.stop();
  }

  /** Claims one document with pending events and publishes them; false when there is none. */
  async #relayOne(): Promise<boolean> {
    // Viewed through the outbox fields only, so the driver's types check the updates below.
    const collection = this.#options.collection as unknown as Collection<OutboxDocument>;
    const now = new Date();
    const token = randomBytes(8).toString('hex');
    const candidate = await collection.findOneAndUpdate(
      {
        '_outbox.0': { $exists: true },
        $or: [{ _outboxLease: { $exists: false } }, { '_outboxLease.until': { $lte: now } }],
      },
      {
        $set: {
          _outboxLease: {
            owner: this.#owner,
            token,
            until: new Date(now.getTime() + this.#leaseMs),
          },
        },
      },
      // No projection: FerretDB's findAndModify does not implement one.
      { returnDocument: 'after' },
    );
    if (candidate === null) return false;
    // On MongoDB the claim above is atomic. FerretDB 1.x (SQLite backend, our test server)
    // reads the whole document and writes it back without a lock (FerretDB issue #3040), so two
    // relays can both "win", and a late stale write can even restore entries already pulled.
    // Reading the lease back lets an already-overwritten relay step aside; it catches only
    // some races. There: expect duplicates, never losses (consumers dedupe by event id).
    const claimed = await collection.findOne({ _id: candidate._id, '_outboxLease.token': token });
    if (claimed === null) {
      this.stats.lostClaims++;
      return true;
    }
    this.stats.claims++;

    const pending: MongoOutboxEntry[] = claimed._outbox ?? [];
    const outcome = await publishGrouped(
      this.#options.publisher,
      this.#options.resolveQueueUrl,
      pending,
    );

    // $pullAll of the exact entries we read removes just those, never events pushed meanwhile.
    // (Not `$pull: { _outbox: { id: { $in } } }`: FerretDB 1.x ignores $pull conditions.)
    const pull = { $pullAll: { _outbox: outcome.published } };
    const mine = { _id: claimed._id, '_outboxLease.token': token };
    if (outcome.failed.size === 0) {
      const { matchedCount } = await collection.updateOne(mine, {
        ...pull,
        $unset: { _outboxLease: '', _outboxAttempts: '' },
      });
      // Lease lost (we were slower than leaseMs): still remove what we published, leave the lease.
      if (matchedCount === 0) await collection.updateOne({ _id: claimed._id }, pull);
      this.stats.published += outcome.published.length;
      return true;
    }
    // Keep the lease as a backoff timer: nobody retries this document before it runs out.
    const attempts = (claimed._outboxAttempts ?? 0) + 1;
    const delay = Math.min(
      this.#options.retryMaxDelayMs ?? 60_000,
      (this.#options.retryBaseDelayMs ?? 1_000) * 2 ** (attempts - 1),
    );
    await collection.updateOne(mine, {
      ...pull,
      $set: { '_outboxLease.until': new Date(Date.now() + delay), _outboxAttempts: attempts },
    });
    // Counted once the document says so, so whoever reads the stats can trust the document.
    this.stats.published += outcome.published.length;
    this.stats.failed += outcome.failed.size;
    this.#options.logger?.warn('outbox events not published yet; will retry', {
      collection: collection.collectionName,
      count: outcome.failed.size,
      error: [...outcome.failed.values()][0],
      retry_in_ms: delay,
    });
    return true;
  }
}

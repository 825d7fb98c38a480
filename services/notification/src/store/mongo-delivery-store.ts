import { outboxUpdate, withOutbox } from '@shoal/kit';
import type { OutboxEvent, OutboxFields } from '@shoal/kit';
import type { Collection, Db } from 'mongodb';
import type { Delivery } from '../domain/notification.ts';
import type { DeliveryStore } from '../domain/ports.ts';
import { isDuplicateKey } from './duplicate-key.ts';

/** How a delivery sits in `deliveries` (`_id` = deliveryId(event, channel)). */
type DeliveryDocument = Omit<Delivery, 'id'> & { _id: string } & OutboxFields;

/** A claim of a takeover attempt (`_id` = `<delivery id>#<attempt>`): unique, so one wins. */
interface ClaimDocument {
  _id: string;
  claimedAt: Date;
}

/**
 * Deliveries in MongoDB. Their `_id` is unique, so "record before sending" is a plain insert
 * that fails on a second copy: no findAndModify race, which FerretDB's SQLite backend would
 * not make atomic. notification.sent/failed travel in the record itself (the kit's outbox).
 */
export class MongoDeliveryStore implements DeliveryStore {
  readonly #deliveries: Collection<DeliveryDocument>;
  readonly #claims: Collection<ClaimDocument>;

  constructor(db: Db) {
    this.#deliveries = db.collection<DeliveryDocument>('deliveries');
    this.#claims = db.collection<ClaimDocument>('delivery_claims');
  }

  /** The collection, for the outbox relay. */
  get collection(): Collection<DeliveryDocument> {
    return this.#deliveries;
  }

  /** Creates the indexes (idempotent; run at start). */
  async migrate(): Promise<void> {
    // The relay looks for documents with pending events.
    await this.#deliveries.createIndex({ '_outbox.0': 1 });
    await this.#deliveries.createIndex({ eventId: 1 });
  }

  async insert(delivery: Delivery, events: readonly OutboxEvent[]): Promise<boolean> {
    const { id, ...rest } = delivery;
    try {
      await this.#deliveries.insertOne(withOutbox({ _id: id, ...rest }, events));
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  async get(id: string): Promise<Delivery | undefined> {
    const document = await this.#deliveries.findOne({ _id: id });
    return document === null ? undefined : fromDocument(document);
  }

  async claimAttempt(id: string, attempt: number, now: Date): Promise<boolean> {
    try {
      await this.#claims.insertOne({ _id: `${id}#${attempt}`, claimedAt: now });
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
    await this.#deliveries.updateOne(
      { _id: id, state: 'pending' },
      { $set: { attempt, claimedAt: now, updatedAt: now } },
    );
    return true;
  }

  async settle(
    id: string,
    _attempt: number,
    outcome: { state: 'sent' | 'failed'; reason: string | null; now: Date },
    events: readonly OutboxEvent[],
  ): Promise<void> {
    // The first outcome recorded wins; a late one (a sender whose lease ran out) changes nothing.
    await this.#deliveries.updateOne(
      { _id: id, state: 'pending' },
      outboxUpdate<DeliveryDocument>(
        { $set: { state: outcome.state, reason: outcome.reason, updatedAt: outcome.now } },
        events,
      ),
    );
  }

  async release(id: string, attempt: number): Promise<void> {
    await this.#deliveries.updateOne(
      { _id: id, state: 'pending', attempt },
      { $set: { claimedAt: new Date(0) } },
    );
  }
}

function fromDocument(document: DeliveryDocument): Delivery {
  return {
    id: document._id,
    eventId: document.eventId,
    eventType: document.eventType,
    channel: document.channel,
    userId: document.userId,
    template: document.template,
    state: document.state,
    reason: document.reason ?? null,
    attempt: document.attempt,
    claimedAt: document.claimedAt,
    updatedAt: document.updatedAt,
  };
}

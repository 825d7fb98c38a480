import { withOutbox } from '@shoal/kit';
import type { OutboxEvent, OutboxFields } from '@shoal/kit';
import type { Collection, Db } from 'mongodb';
import type { Delivery } from '../domain/notification.ts';
import type { DeliveryStore } from '../domain/ports.ts';
import { isDuplicateKey } from './duplicate-key.ts';

/** How a claim or an outcome sits in its collection (`_id` = deliveryId(event, channel)). */
type DeliveryDocument = Omit<Delivery, 'id'> & { _id: string } & OutboxFields;

/** A takeover attempt (`_id` = `<delivery id>#<attempt>`): unique, so one taker wins. */
interface AttemptDocument {
  _id: string;
  claimedAt: Date;
}

/**
 * Deliveries in MongoDB: `delivery_claims` (pending sends), `delivery_attempts` (takeovers)
 * and `delivery_outcomes` (sent/failed/skipped, carrying notification.sent/failed in the kit's
 * outbox). Every decision is an insert that a second copy fails with a duplicate key: no
 * findAndModify race, which FerretDB's SQLite backend would not make atomic, and only
 * `_id`-only filters on the hot path (FerretDB scans for anything more).
 */
export class MongoDeliveryStore implements DeliveryStore {
  readonly #claims: Collection<DeliveryDocument>;
  readonly #attempts: Collection<AttemptDocument>;
  readonly #outcomes: Collection<DeliveryDocument>;

  constructor(db: Db) {
    this.#claims = db.collection<DeliveryDocument>('delivery_claims');
    this.#attempts = db.collection<AttemptDocument>('delivery_attempts');
    this.#outcomes = db.collection<DeliveryDocument>('delivery_outcomes');
  }

  /** The outcomes collection, for the outbox relay. */
  get outboxCollection(): Collection<DeliveryDocument> {
    return this.#outcomes;
  }

  /** Creates the indexes (idempotent; run at start). */
  async migrate(): Promise<void> {
    // The relay looks for documents with pending events.
    await this.#outcomes.createIndex({ '_outbox.0': 1 });
    await this.#outcomes.createIndex({ eventId: 1 });
  }

  claim(delivery: Delivery): Promise<boolean> {
    return insertUnique(this.#claims, delivery, []);
  }

  async claimOf(id: string): Promise<Delivery | undefined> {
    const document = await this.#claims.findOne({ _id: id });
    return document === null ? undefined : fromDocument(document);
  }

  async claimAttempt(id: string, attempt: number, now: Date): Promise<boolean> {
    try {
      await this.#attempts.insertOne({ _id: `${id}#${attempt}`, claimedAt: now });
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
    await this.#claims.updateOne(
      { _id: id },
      { $set: { attempt, claimedAt: now, updatedAt: now } },
    );
    return true;
  }

  async release(id: string, attempt: number): Promise<void> {
    // Rare (a send that failed for now), so the slower two-field filter is fine here.
    await this.#claims.updateOne({ _id: id, attempt }, { $set: { claimedAt: new Date(0) } });
  }

  record(outcome: Delivery, events: readonly OutboxEvent[]): Promise<boolean> {
    return insertUnique(this.#outcomes, outcome, events);
  }

  async outcomeOf(id: string): Promise<Delivery | undefined> {
    const document = await this.#outcomes.findOne({ _id: id });
    return document === null ? undefined : fromDocument(document);
  }
}

/** Inserts the delivery (with its events); false on a duplicate key. */
async function insertUnique(
  collection: Collection<DeliveryDocument>,
  delivery: Delivery,
  events: readonly OutboxEvent[],
): Promise<boolean> {
  const { id, ...rest } = delivery;
  try {
    await collection.insertOne(withOutbox({ _id: id, ...rest }, events));
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
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

import type { CloudEvent } from '@shoal/kit';
import type { Collection, Db, Filter } from 'mongodb';
import { MongoServerError } from 'mongodb';
import type { EventCursor, EventFilter, EventLog, StoredEvent } from '../domain/event-log.ts';

/** How an event sits in the `events` collection (`_id` = the CloudEvent id). */
interface EventDocument {
  _id: string;
  type: string;
  source: string;
  subject?: string;
  time: Date;
  ingestedAt: Date;
  /**
   * The envelope as JSON text: kept byte for byte, and field names in webhook payloads
   * (`$x`, `a.b`) cannot clash with MongoDB's rules for document keys.
   */
  envelope: string;
  subscribers: string[];
  delivered: string[];
  fanoutLeaseUntil?: Date;
  fanoutOwner?: string;
}

const DUPLICATE_KEY = 11000;

/** The event log in MongoDB: one document per event id, so storing twice is a no-op. */
export class MongoEventLog implements EventLog {
  readonly #events: Collection<EventDocument>;

  constructor(db: Db) {
    this.#events = db.collection<EventDocument>('events');
  }

  /** Creates the indexes the listing and replay use (idempotent; run at start). */
  async migrate(): Promise<void> {
    await this.#events.createIndex({ ingestedAt: -1, _id: -1 });
    await this.#events.createIndex({ type: 1, ingestedAt: -1 });
    await this.#events.createIndex({ subject: 1, ingestedAt: -1 });
  }

  async insert(event: StoredEvent): Promise<boolean> {
    try {
      await this.#events.insertOne(toDocument(event));
      return true;
    } catch (error) {
      if (error instanceof MongoServerError && error.code === DUPLICATE_KEY) return false;
      throw error;
    }
  }

  async get(id: string): Promise<StoredEvent | undefined> {
    const document = await this.#events.findOne({ _id: id });
    return document === null ? undefined : fromDocument(document);
  }

  async claimFanout(
    id: string,
    expected: Date | undefined,
    until: Date,
    owner: string | undefined,
  ): Promise<boolean> {
    const { matchedCount } = await this.#events.updateOne(
      {
        _id: id,
        fanoutLeaseUntil: expected === undefined ? { $exists: false } : expected,
      },
      owner === undefined
        ? { $set: { fanoutLeaseUntil: until }, $unset: { fanoutOwner: '' } }
        : { $set: { fanoutLeaseUntil: until, fanoutOwner: owner } },
    );
    return matchedCount === 1;
  }

  async recordDelivered(id: string, subscriptions: readonly string[]): Promise<void> {
    await this.#events.updateOne(
      { _id: id },
      {
        ...(subscriptions.length === 0
          ? {}
          : { $addToSet: { delivered: { $each: [...subscriptions] } } }),
        $unset: { fanoutLeaseUntil: '', fanoutOwner: '' },
      },
    );
  }

  async list(
    filter: EventFilter,
    cursor: EventCursor | undefined,
    limit: number,
  ): Promise<{ events: StoredEvent[]; next: EventCursor | undefined }> {
    const query: Filter<EventDocument> = toQuery(filter);
    if (cursor !== undefined) {
      query.$or = [
        { ingestedAt: { $lt: cursor.ingestedAt } },
        { ingestedAt: cursor.ingestedAt, _id: { $lt: cursor.id } },
      ];
    }
    const documents = await this.#events
      .find(query)
      .sort({ ingestedAt: -1, _id: -1 })
      .limit(limit + 1)
      .toArray();
    const events = documents.slice(0, limit).map(fromDocument);
    const last = events.at(-1);
    return {
      events,
      next:
        documents.length > limit && last !== undefined
          ? { ingestedAt: last.ingestedAt, id: last.id }
          : undefined,
    };
  }

  async *scan(filter: EventFilter, limit: number): AsyncIterable<StoredEvent> {
    const cursor = this.#events
      .find(toQuery(filter))
      .sort({ ingestedAt: 1, _id: 1 })
      .limit(limit)
      .batchSize(500);
    try {
      for await (const document of cursor) yield fromDocument(document);
    } finally {
      await cursor.close();
    }
  }
}

/** Escapes text for use inside a regular expression. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The type condition of subscription patterns, or undefined when `*` takes everything. */
function patternQuery(patterns: readonly string[]): Filter<EventDocument> | undefined {
  if (patterns.includes('*')) return undefined;
  return {
    $or: patterns.map((pattern) =>
      pattern.endsWith('.*')
        ? { type: { $regex: `^${literal(pattern.slice(0, -1))}` } }
        : { type: pattern },
    ),
  };
}

function toQuery(filter: EventFilter): Filter<EventDocument> {
  const query: Filter<EventDocument> = {};
  if (filter.types !== undefined && filter.types.length > 0)
    query.type = { $in: [...filter.types] };
  const patterns =
    filter.typePatterns === undefined ? undefined : patternQuery(filter.typePatterns);
  if (patterns !== undefined) query.$and = [patterns];
  if (filter.subject !== undefined) query.subject = filter.subject;
  if (filter.from !== undefined || filter.to !== undefined) {
    query.ingestedAt = {
      ...(filter.from === undefined ? {} : { $gte: filter.from }),
      ...(filter.to === undefined ? {} : { $lt: filter.to }),
    };
  }
  return query;
}

function toDocument(event: StoredEvent): EventDocument {
  return {
    _id: event.id,
    type: event.type,
    source: event.source,
    ...(event.subject === undefined ? {} : { subject: event.subject }),
    time: event.time,
    ingestedAt: event.ingestedAt,
    envelope: JSON.stringify(event.event),
    subscribers: [...event.subscribers],
    delivered: [...event.delivered],
    ...(event.fanoutLeaseUntil === undefined ? {} : { fanoutLeaseUntil: event.fanoutLeaseUntil }),
    ...(event.fanoutOwner === undefined ? {} : { fanoutOwner: event.fanoutOwner }),
  };
}

function fromDocument(document: EventDocument): StoredEvent {
  return {
    id: document._id,
    type: document.type,
    source: document.source,
    subject: document.subject,
    time: document.time,
    ingestedAt: document.ingestedAt,
    event: JSON.parse(document.envelope) as CloudEvent,
    subscribers: document.subscribers,
    delivered: document.delivered,
    fanoutLeaseUntil: document.fanoutLeaseUntil,
    fanoutOwner: document.fanoutOwner,
  };
}

import type { Collection, Db, Filter } from 'mongodb';
import type { InboxItem } from '../domain/notification.ts';
import type { InboxStore } from '../domain/ports.ts';
import { isDuplicateKey } from './duplicate-key.ts';

/** How an inbox item sits in `inbox` (`_id` = the delivery id of its (event, inApp)). */
type InboxDocument = { -readonly [K in keyof Omit<InboxItem, 'id'>]: InboxItem[K] } & {
  _id: string;
};

/** The in-app inbox in MongoDB; items are only ever inserted once and marked read. */
export class MongoInboxStore implements InboxStore {
  readonly #items: Collection<InboxDocument>;

  constructor(db: Db) {
    this.#items = db.collection<InboxDocument>('inbox');
  }

  /** Creates the indexes (idempotent; run at start). */
  async migrate(): Promise<void> {
    await this.#items.createIndex({ userId: 1, createdAt: -1, _id: -1 });
  }

  async insertIfAbsent(item: InboxItem): Promise<boolean> {
    const { id, ...rest } = item;
    try {
      await this.#items.insertOne({ _id: id, ...rest });
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  async has(id: string): Promise<boolean> {
    return (await this.#items.findOne({ _id: id }, { projection: { _id: 1 } })) !== null;
  }

  async list(options: {
    userId: string;
    unreadOnly: boolean;
    after?: { createdAt: Date; id: string };
    limit: number;
  }): Promise<InboxItem[]> {
    const filter: Filter<InboxDocument> = { userId: options.userId };
    if (options.unreadOnly) filter.readAt = null;
    if (options.after !== undefined) {
      filter.$or = [
        { createdAt: { $lt: options.after.createdAt } },
        { createdAt: options.after.createdAt, _id: { $lt: options.after.id } },
      ];
    }
    const documents = await this.#items
      .find(filter)
      .sort({ createdAt: -1, _id: -1 })
      .limit(options.limit)
      .toArray();
    return documents.map(fromDocument);
  }

  async markRead(userId: string, id: string, now: Date): Promise<InboxItem | undefined> {
    await this.#items.updateOne({ _id: id, userId, readAt: null }, { $set: { readAt: now } });
    const document = await this.#items.findOne({ _id: id, userId });
    return document === null ? undefined : fromDocument(document);
  }

  async markAllRead(userId: string, now: Date): Promise<number> {
    const { modifiedCount } = await this.#items.updateMany(
      { userId, readAt: null },
      { $set: { readAt: now } },
    );
    return modifiedCount;
  }
}

function fromDocument(document: InboxDocument): InboxItem {
  return {
    id: document._id,
    userId: document.userId,
    eventId: document.eventId,
    eventType: document.eventType,
    template: document.template,
    title: document.title,
    body: document.body,
    createdAt: document.createdAt,
    readAt: document.readAt ?? null,
  };
}

import { outboxUpdate, withOutbox } from '@shoal/kit';
import type { OutboxEvent, OutboxFields } from '@shoal/kit';
import type { Collection, Db, Filter } from 'mongodb';
import { MongoServerError } from 'mongodb';
import type { Profile } from '../domain/profile.ts';
import type { ProfileFields, ProfileStore } from '../domain/profile-store.ts';

/** How a profile sits in the `profiles` collection (`_id` = the user id). */
type ProfileDocument = Omit<Profile, 'id'> & { _id: string } & OutboxFields;

const DUPLICATE_KEY = 11000;

/** Escapes a user's search text for use inside a regular expression. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Profiles in MongoDB. Events travel inside the changed document (the kit's outbox), so a
 * change and its events are one single-document write: no multi-document transactions.
 */
export class MongoProfileStore implements ProfileStore {
  readonly #profiles: Collection<ProfileDocument>;

  constructor(db: Db) {
    this.#profiles = db.collection<ProfileDocument>('profiles');
  }

  /** The collection, for the outbox relay. */
  get collection(): Collection<ProfileDocument> {
    return this.#profiles;
  }

  /** Creates the indexes (idempotent; run at start). */
  async migrate(): Promise<void> {
    await this.#profiles.createIndex({ email: 1 });
    // The relay looks for documents with pending events.
    await this.#profiles.createIndex({ '_outbox.0': 1 });
  }

  async createIfAbsent(profile: Profile): Promise<Profile> {
    try {
      await this.#profiles.insertOne(toDocument(profile));
      return profile;
    } catch (error) {
      if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
    }
    const existing = await this.get(profile.id);
    if (existing === undefined) throw new Error(`profile ${profile.id} neither inserted nor found`);
    return existing;
  }

  async fillFromRegistration(id: string, email: string, name: string, now: Date): Promise<void> {
    // The name first: once the email shows, the profile is complete (readers poll for it).
    await this.#profiles.updateOne({ _id: id, displayName: null }, { $set: { displayName: name } });
    await this.#profiles.updateOne({ _id: id, email: null }, { $set: { email, updatedAt: now } });
  }

  async get(id: string): Promise<Profile | undefined> {
    const document = await this.#profiles.findOne({ _id: id });
    return document === null ? undefined : fromDocument(document);
  }

  async write(
    id: string,
    expectedUpdatedAt: Date,
    fields: ProfileFields,
    events: readonly OutboxEvent[],
  ): Promise<boolean> {
    const { matchedCount } = await this.#profiles.updateOne(
      { _id: id, deletedAt: null, updatedAt: expectedUpdatedAt },
      outboxUpdate<ProfileDocument>({ $set: fields }, events),
    );
    return matchedCount === 1;
  }

  async list(options: { query?: string; afterId?: string; limit: number }): Promise<Profile[]> {
    const filter: Filter<ProfileDocument> = { deletedAt: null };
    if (options.afterId !== undefined) filter._id = { $gt: options.afterId };
    if (options.query !== undefined && options.query !== '') {
      const pattern = literal(options.query);
      filter.$or = [
        { displayName: { $regex: pattern, $options: 'i' } },
        { email: { $regex: pattern, $options: 'i' } },
      ];
    }
    const documents = await this.#profiles
      .find(filter)
      .sort({ _id: 1 })
      .limit(options.limit)
      .toArray();
    return documents.map(fromDocument);
  }
}

function toDocument(profile: Profile): ProfileDocument {
  const { id, ...rest } = profile;
  return withOutbox({ _id: id, ...rest }, []);
}

function fromDocument(document: ProfileDocument): Profile {
  return {
    id: document._id,
    email: document.email ?? null,
    displayName: document.displayName ?? null,
    bio: document.bio ?? null,
    locale: document.locale ?? null,
    timezone: document.timezone ?? null,
    notificationPrefs: document.notificationPrefs,
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
    deletedAt: document.deletedAt ?? null,
  };
}

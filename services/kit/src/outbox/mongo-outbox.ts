import type { Document, UpdateFilter } from 'mongodb';
import type { CloudEvent } from '../messaging/cloud-event.ts';
import type { OutboxEvent } from './outbox-event.ts';

/** One pending event as it sits inside the changed document's `_outbox` array. */
export interface MongoOutboxEntry {
  id: string;
  queue: string;
  event: CloudEvent;
  enqueuedAt: Date;
}

/** The fields the outbox adds to a document. */
export interface OutboxFields {
  _outbox?: MongoOutboxEntry[];
  _outboxLease?: { owner: string; token: string; until: Date };
  _outboxAttempts?: number;
}

function entries(events: readonly OutboxEvent[]): MongoOutboxEntry[] {
  const enqueuedAt = new Date();
  return events.map(({ queue, event }) => {
    if (typeof queue !== 'string' || queue === '')
      throw new TypeError('outbox: every event needs a queue');
    if (typeof event?.id !== 'string' || event.id === '')
      throw new TypeError('outbox: every event needs an id');
    return { id: event.id, queue, event, enqueuedAt };
  });
}

/**
 * Merges pending events into a single-document update (`$push` to `_outbox`), so the change
 * and its events are written atomically without a multi-document transaction.
 */
export function outboxUpdate<T extends Document>(
  update: UpdateFilter<T>,
  events: readonly OutboxEvent[],
): UpdateFilter<T> {
  if (Array.isArray(update))
    throw new TypeError('outboxUpdate: pipeline updates are not supported');
  const push = { ...(update.$push as Record<string, unknown> | undefined) };
  if ('_outbox' in push) throw new TypeError('outboxUpdate: the update already pushes to _outbox');
  if (events.length === 0) return update;
  return {
    ...update,
    $push: { ...push, _outbox: { $each: entries(events) } },
  } as unknown as UpdateFilter<T>;
}

/** A new document carrying its creation events, for insertOne. */
export function withOutbox<T extends Document>(
  document: T,
  events: readonly OutboxEvent[],
): T & OutboxFields {
  if ('_outbox' in document) throw new TypeError('withOutbox: the document already has an _outbox');
  return { ...document, _outbox: entries(events) };
}

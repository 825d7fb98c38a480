import type { EventCursor, StoredEvent } from '../domain/event-log.ts';
import { InvalidCursorError } from '../domain/event-log.ts';

/** A stored event as the API shows it (openapi.yaml `StoredEvent`). */
export function toPublicEvent(stored: StoredEvent): Record<string, unknown> {
  return {
    id: stored.id,
    type: stored.type,
    source: stored.source,
    ...(stored.subject === undefined ? {} : { subject: stored.subject }),
    time: stored.time.toISOString(),
    ingested_at: stored.ingestedAt.toISOString(),
    subscribers: stored.subscribers,
    delivered: stored.delivered,
    event: stored.event,
  };
}

/** Opaque to clients: base64url of the last event's ingestion time and id. */
export function encodeCursor(cursor: EventCursor): string {
  return Buffer.from(JSON.stringify([cursor.ingestedAt.toISOString(), cursor.id])).toString(
    'base64url',
  );
}

/** Reads a cursor made by encodeCursor; throws InvalidCursorError for anything else. */
export function decodeCursor(text: string): EventCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2) {
      const [at, id] = value as unknown[];
      if (typeof at === 'string' && typeof id === 'string' && !Number.isNaN(Date.parse(at))) {
        return { ingestedAt: new Date(at), id };
      }
    }
  } catch {
    // falls through to the error below
  }
  throw new InvalidCursorError();
}

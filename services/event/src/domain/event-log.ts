import type { CloudEvent } from '@shoal/kit';

/** One event as the log keeps it: the envelope as received, plus what fan-out did with it. */
export interface StoredEvent {
  /** The CloudEvent id: the log holds each id once. */
  readonly id: string;
  readonly type: string;
  readonly source: string;
  readonly subject: string | undefined;
  /** The event's own time (when it happened), or its ingestion time if it had none. */
  readonly time: Date;
  /** When this service stored it; lists, cursors and replay ranges go by it. */
  readonly ingestedAt: Date;
  /** The envelope exactly as it arrived; fan-out and replay send this, same id. */
  readonly event: CloudEvent;
  /** The subscriptions that wanted it when it arrived. */
  readonly subscribers: readonly string[];
  /** The subscriptions it has been published to. */
  readonly delivered: readonly string[];
  /** While set and in the future, one delivery is fanning it out; others leave it be. */
  readonly fanoutLeaseUntil: Date | undefined;
  /** The delivery (SQS message id) holding the lease. */
  readonly fanoutOwner: string | undefined;
}

/** Filters of the admin listing and of replay; all optional, combined with AND. */
export interface EventFilter {
  readonly types?: readonly string[];
  /** Subscription patterns (exact, `prefix.*`, `*`): the type must match one of them. */
  readonly typePatterns?: readonly string[];
  readonly subject?: string;
  /** Ingested at or after. */
  readonly from?: Date;
  /** Ingested before. */
  readonly to?: Date;
}

/** Where a page ends: the next page starts after this event (newest first). */
export interface EventCursor {
  readonly ingestedAt: Date;
  readonly id: string;
}

/** A cursor that does not decode (400). */
export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not one this service issued');
    this.name = 'InvalidCursorError';
  }
}

/** The event log (MongoDB in production and tests). */
export interface EventLog {
  /** Stores a new event; `false` when one with this id is already there (nothing changes). */
  insert(event: StoredEvent): Promise<boolean>;
  get(id: string): Promise<StoredEvent | undefined>;
  /** Takes over a fan-out whose lease is `expected` (still unchanged); false if someone else did. */
  claimFanout(
    id: string,
    expected: Date | undefined,
    until: Date,
    owner: string | undefined,
  ): Promise<boolean>;
  /**
   * Records the subscriptions just published to and releases the fan-out lease, so whatever
   * is still missing (a queue refused it) may be retried by any copy of the event.
   */
  recordDelivered(id: string, subscriptions: readonly string[]): Promise<void>;
  /** One page, newest first, after `cursor`. */
  list(
    filter: EventFilter,
    cursor: EventCursor | undefined,
    limit: number,
  ): Promise<{ events: StoredEvent[]; next: EventCursor | undefined }>;
  /** Events in the filter, oldest first, at most `limit`. */
  scan(filter: EventFilter, limit: number): AsyncIterable<StoredEvent>;
}

import type { OutboxEvent } from '@shoal/kit';
import type { Contact, Delivery, InboxItem } from './notification.ts';

/** Finds how to reach a user (the user service). Throws when it cannot be asked right now. */
export interface ContactDirectory {
  /** The contact, or undefined when the user does not exist (or is deleted, unless included). */
  find(userId: string, options?: { includeDeleted?: boolean }): Promise<Contact | undefined>;
  /** Forgets what is cached about the user (their profile just changed). */
  forget(userId: string): void;
}

/** One email to send. */
export interface OutgoingMail {
  /** The full Message-ID header value, `<id@domain>`: the same on every retry of a delivery. */
  readonly messageId: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** Sends email. Throws MailRejectedError when refused for good, any other error when it may pass later. */
export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
}

/** The deliveries collection: one record per (event, channel), unique by its id. */
export interface DeliveryStore {
  /**
   * Inserts the record (with its events in the same write) unless one with its id exists.
   * True when inserted; false when it already existed (the duplicate-key refusal).
   */
  insert(delivery: Delivery, events: readonly OutboxEvent[]): Promise<boolean>;
  get(id: string): Promise<Delivery | undefined>;
  /**
   * Claims attempt `attempt` (>= 2) of an abandoned pending delivery: a unique insert of the
   * claim, so of two handlers taking over at once exactly one gets true.
   */
  claimAttempt(id: string, attempt: number, now: Date): Promise<boolean>;
  /** Records the outcome of attempt `attempt` (and its events) in one write. */
  settle(
    id: string,
    attempt: number,
    outcome: { state: 'sent' | 'failed'; reason: string | null; now: Date },
    events: readonly OutboxEvent[],
  ): Promise<void>;
  /** Marks attempt `attempt` as given up (the send failed for now), so a retry may take over at once. */
  release(id: string, attempt: number): Promise<void>;
}

/** The in-app inbox items, unique by id. */
export interface InboxStore {
  /** Inserts the item unless one with its id exists (then it is left as it is); true if inserted. */
  insertIfAbsent(item: InboxItem): Promise<boolean>;
  /** The user's items, newest first, strictly after `after` in that order. */
  list(options: {
    userId: string;
    unreadOnly: boolean;
    after?: { createdAt: Date; id: string };
    limit: number;
  }): Promise<InboxItem[]>;
  /** Marks one of the user's items read (the first readAt stays); undefined if not theirs. */
  markRead(userId: string, id: string, now: Date): Promise<InboxItem | undefined>;
  /** Marks all the user's unread items read; returns how many changed. */
  markAllRead(userId: string, now: Date): Promise<number>;
}

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

/**
 * Delivery records, in two parts, each unique by the delivery id: the claim (`pending`,
 * written before an email is sent) and the outcome (`sent`, `failed` or `skipped`, written
 * once, with its events). Both are plain inserts, so "who sends" and "which outcome counts"
 * are decided by duplicate keys, never by conditional updates.
 */
export interface DeliveryStore {
  /** Inserts the claim of attempt 1; false when the delivery was claimed before. */
  claim(delivery: Delivery): Promise<boolean>;
  /** The claim, if any. */
  claimOf(id: string): Promise<Delivery | undefined>;
  /**
   * Claims attempt `attempt` (>= 2) of an abandoned claim: a unique insert of the attempt, so
   * of two handlers taking over at once exactly one gets true.
   */
  claimAttempt(id: string, attempt: number, now: Date): Promise<boolean>;
  /** Marks attempt `attempt` as given up (the send failed for now), so a retry may take over at once. */
  release(id: string, attempt: number): Promise<void>;
  /** Inserts the outcome with its events (one write); false when one was recorded before. */
  record(outcome: Delivery, events: readonly OutboxEvent[]): Promise<boolean>;
  /** The recorded outcome, if any. */
  outcomeOf(id: string): Promise<Delivery | undefined>;
}

/** The in-app inbox items, unique by id. */
export interface InboxStore {
  /** Inserts the item unless one with its id exists (then it is left as it is); true if inserted. */
  insertIfAbsent(item: InboxItem): Promise<boolean>;
  /** Whether an item with this id exists. */
  has(id: string): Promise<boolean>;
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

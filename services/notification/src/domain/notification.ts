/** The ways a notification reaches a user. */
export type Channel = 'email' | 'inApp';

/** What the user has allowed (the user service's `notificationPrefs`). */
export interface NotificationPrefs {
  readonly email: boolean;
  readonly inApp: boolean;
}

/** How to reach a user, as the user service tells it. */
export interface Contact {
  readonly id: string;
  /** Null while auth's registration has not reached the profile yet. */
  readonly email: string | null;
  readonly displayName: string | null;
  readonly locale: string | null;
  readonly notificationPrefs: NotificationPrefs;
}

/** A notification rendered for one recipient (email subject/text, inbox title/body). */
export interface RenderedMessage {
  readonly subject: string;
  readonly text: string;
}

/** One item of a user's in-app inbox. */
export interface InboxItem {
  readonly id: string;
  readonly userId: string;
  /** The event that caused it. */
  readonly eventId: string;
  readonly eventType: string;
  readonly template: string;
  readonly title: string;
  readonly body: string;
  readonly createdAt: Date;
  readonly readAt: Date | null;
}

/** Where a (event, channel) delivery stands. `pending`: claimed, the send may be under way. */
export type DeliveryState = 'pending' | 'sent' | 'failed' | 'skipped';

/** The record that makes a delivery happen once: keyed by (event, channel). */
export interface Delivery {
  /** deliveryId(eventId, channel). */
  readonly id: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly channel: Channel;
  readonly userId: string;
  readonly template: string;
  readonly state: DeliveryState;
  /** Why it failed or was skipped. */
  readonly reason: string | null;
  /** Which claim of the delivery this is (1, then 2... after takeovers of abandoned sends). */
  readonly attempt: number;
  readonly claimedAt: Date;
  readonly updatedAt: Date;
}

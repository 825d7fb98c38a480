import type { CloudEvent, OutboxEvent } from '@shoal/kit';
import { notificationFailed, notificationSent } from '../events/notification-events.ts';
import { deliveryId } from './delivery-id.ts';
import { DeliveryInProgressError, MailRejectedError } from './errors.ts';
import { planFor } from './event-plans.ts';
import type { EventPlanRules } from './event-plans.ts';
import type { Channel, Contact, Delivery, RenderedMessage } from './notification.ts';
import type { ContactDirectory, DeliveryStore, InboxStore, Mailer } from './ports.ts';

export interface NotifierOptions {
  readonly contacts: ContactDirectory;
  readonly deliveries: DeliveryStore;
  readonly inbox: InboxStore;
  readonly mailer: Mailer;
  readonly rules: EventPlanRules;
  /** The queue notification.sent / failed go to (`platform-events`). */
  readonly eventsQueue: string;
  /** A pending delivery older than this is taken to be abandoned (its sender crashed). */
  readonly deliveryLeaseMs: number;
  /** The right-hand side of Message-IDs. */
  readonly messageIdDomain: string;
  /** Called after a write that queued events (wakes the outbox relay). */
  readonly onEventsWritten?: () => void;
  readonly now?: () => Date;
}

/** What became of one channel of one event (logs and tests). */
export type ChannelOutcome =
  'sent' | 'already-done' | 'skipped-preference' | 'failed' | 'taken-over-and-sent';

/** What became of one event. */
export type NotifyResult =
  | { readonly kind: 'ignored'; readonly reason: string }
  | { readonly kind: 'notified'; readonly outcomes: Readonly<Record<Channel, ChannelOutcome>> };

/** Reasons recorded in failed deliveries (and notification.failed). */
export const FAILURE_REASONS = {
  recipientNotFound: 'recipient-not-found',
  noEmailAddress: 'no-email-address',
} as const;

/**
 * Turns consumed events into at most one email and one inbox item per (event, channel),
 * however often an event arrives. Every decision is recorded under deliveryId(event, channel)
 * with a unique insert BEFORE anything is sent; a redelivery finds the record and stops.
 * Throws to have the event redelivered later: user service unreachable, a send failing for now,
 * or another handler in the middle of the same delivery.
 */
export class Notifier {
  readonly #options: NotifierOptions;

  constructor(options: NotifierOptions) {
    this.#options = options;
  }

  /** Handles one consumed event (idempotent). */
  async handle(event: CloudEvent): Promise<NotifyResult> {
    const plan = planFor(event, this.#options.rules);
    if (plan.kind === 'ignore') return { kind: 'ignored', reason: plan.reason };
    // The email's outcome is the last thing an event's handling writes: once it exists, the
    // event is done with, under the preferences of that time, and a copy needs no lookup.
    const done = await this.#options.deliveries.outcomeOf(deliveryId(event.id, 'email'));
    if (done !== undefined) {
      return { kind: 'notified', outcomes: { email: 'already-done', inApp: 'already-done' } };
    }
    if (plan.profileChanged) this.#options.contacts.forget(plan.userId);
    const contact =
      (await this.#options.contacts.find(plan.userId, { includeDeleted: plan.includeDeleted })) ??
      plan.fallbackContact;
    const message = contact === undefined ? undefined : plan.template.render(event, contact);
    const base = {
      eventId: event.id,
      eventType: event.type,
      userId: plan.userId,
      template: plan.template.name,
    };
    const inApp = this.#newDelivery({ ...base, channel: 'inApp' });
    const email = this.#newDelivery({ ...base, channel: 'email' });
    // The inbox item first: its outcome event travels with the email's record (one outbox
    // document per event, not two: on FerretDB every write counts).
    const inAppResult = await this.#inApp(inApp, contact, message);
    const emailOutcome = await this.#email(email, contact, message, inAppResult.event);
    return { kind: 'notified', outcomes: { email: emailOutcome, inApp: inAppResult.outcome } };
  }

  /**
   * The in-app channel: the inbox item's `_id` is deliveryId(event, inApp), so inserting it is
   * both the record and the delivery; a second copy hits the duplicate key. Returns the
   * notification.sent/failed it is worth (the email's record carries it to the outbox, and its
   * id is derived, so a copy recorded twice is still one event downstream).
   */
  async #inApp(
    delivery: Delivery,
    contact: Contact | undefined,
    message: RenderedMessage | undefined,
  ): Promise<{ outcome: ChannelOutcome; event?: OutboxEvent }> {
    if (contact === undefined || message === undefined) {
      const reason = FAILURE_REASONS.recipientNotFound;
      return {
        outcome: 'failed',
        event: this.#outbox(notificationFailed(delivery, reason, delivery.updatedAt)),
      };
    }
    if (!contact.notificationPrefs.inApp) {
      // Switched off since an earlier try made the item: it exists, so it still counts as sent.
      if (!(await this.#options.inbox.has(delivery.id))) return { outcome: 'skipped-preference' };
      return {
        outcome: 'already-done',
        event: this.#outbox(notificationSent(delivery, delivery.updatedAt)),
      };
    }
    const inserted = await this.#options.inbox.insertIfAbsent({
      id: delivery.id,
      userId: delivery.userId,
      eventId: delivery.eventId,
      eventType: delivery.eventType,
      template: delivery.template,
      title: message.subject,
      body: message.text,
      createdAt: delivery.claimedAt,
      readAt: null,
    });
    return {
      outcome: inserted ? 'sent' : 'already-done',
      event: this.#outbox(notificationSent(delivery, delivery.updatedAt)),
    };
  }

  /**
   * The email channel. `companion` (the inbox outcome's event) is written with whatever this
   * channel records last, so it reaches the outbox exactly when the event is done with.
   */
  async #email(
    delivery: Delivery,
    contact: Contact | undefined,
    message: RenderedMessage | undefined,
    companion: OutboxEvent | undefined,
  ): Promise<ChannelOutcome> {
    const companions = companion === undefined ? [] : [companion];
    if (contact === undefined || message === undefined) {
      return this.#fail(delivery, FAILURE_REASONS.recipientNotFound, companions);
    }
    if (!contact.notificationPrefs.email) return this.#skip(delivery, companions);
    if (contact.email === null) {
      return this.#fail(delivery, FAILURE_REASONS.noEmailAddress, companions);
    }

    let attempt = 1;
    let outcome: ChannelOutcome = 'sent';
    if (!(await this.#options.deliveries.claim(delivery))) {
      // Its outcome may have been recorded since we looked.
      if ((await this.#options.deliveries.outcomeOf(delivery.id)) !== undefined) {
        return 'already-done';
      }
      const existing = await this.#options.deliveries.claimOf(delivery.id);
      if (existing === undefined) {
        throw new Error(`delivery ${delivery.id} neither claimed nor found`);
      }
      // Claimed, no outcome yet. Recently -> the claimant may be sending right now; leave it
      // to them and look again later. Long ago (or released) -> they crashed or gave up: take over.
      const now = this.#now();
      if (now.getTime() - existing.claimedAt.getTime() < this.#options.deliveryLeaseMs) {
        throw new DeliveryInProgressError(delivery.id);
      }
      attempt = existing.attempt + 1;
      if (!(await this.#options.deliveries.claimAttempt(delivery.id, attempt, now))) {
        throw new DeliveryInProgressError(delivery.id);
      }
      outcome = 'taken-over-and-sent';
    }

    try {
      // The Message-ID is the delivery's: a resend after a crash mid-send is recognisable.
      await this.#options.mailer.send({
        messageId: `<${delivery.id}@${this.#options.messageIdDomain}>`,
        to: contact.email,
        subject: message.subject,
        text: message.text,
      });
    } catch (error) {
      if (error instanceof MailRejectedError) {
        const reason = `smtp-rejected: ${error.message}`.slice(0, 500);
        await this.#fail(delivery, reason, companions);
        return 'failed';
      }
      // Not refused, just not now: let the next delivery of the event try at once.
      await this.#options.deliveries.release(delivery.id, attempt).catch(() => undefined);
      throw error;
    }
    const now = this.#now();
    const sent: Delivery = { ...delivery, state: 'sent', attempt, updatedAt: now };
    // The first outcome recorded counts; a late one (a sender whose lease ran out) adds nothing.
    await this.#options.deliveries.record(sent, [
      this.#outbox(notificationSent(sent, now)),
      ...companions,
    ]);
    this.#options.onEventsWritten?.();
    return outcome;
  }

  /** Records a delivery that will not happen, with notification.failed (once). */
  async #fail(
    delivery: Delivery,
    reason: string,
    companions: readonly OutboxEvent[],
  ): Promise<ChannelOutcome> {
    const now = this.#now();
    const failed: Delivery = { ...delivery, state: 'failed', reason, updatedAt: now };
    const recorded = await this.#options.deliveries.record(failed, [
      this.#outbox(notificationFailed(failed, reason, now)),
      ...companions,
    ]);
    if (!recorded) return 'already-done';
    this.#options.onEventsWritten?.();
    return 'failed';
  }

  /** Records that the user's preferences say no, so a later change of mind does not resend. */
  async #skip(delivery: Delivery, companions: readonly OutboxEvent[]): Promise<ChannelOutcome> {
    const inserted = await this.#options.deliveries.record(
      { ...delivery, state: 'skipped', reason: 'preference-off' },
      companions,
    );
    if (!inserted) return 'already-done';
    if (companions.length > 0) this.#options.onEventsWritten?.();
    return 'skipped-preference';
  }

  #newDelivery(
    fields: Pick<Delivery, 'eventId' | 'eventType' | 'userId' | 'template' | 'channel'>,
  ) {
    const now = this.#now();
    return {
      ...fields,
      id: deliveryId(fields.eventId, fields.channel),
      state: 'pending',
      reason: null,
      attempt: 1,
      claimedAt: now,
      updatedAt: now,
    } satisfies Delivery;
  }

  #outbox(event: OutboxEvent['event']): OutboxEvent {
    return { queue: this.#options.eventsQueue, event };
  }

  #now(): Date {
    return this.#options.now?.() ?? new Date();
  }
}

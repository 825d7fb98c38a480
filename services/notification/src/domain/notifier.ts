import type { CloudEvent, OutboxEvent } from '@shoal/kit';
import { notificationFailed, notificationSent } from '../events/notification-events.ts';
import { deliveryId } from './delivery-id.ts';
import { DeliveryInProgressError, MailRejectedError } from './errors.ts';
import { planFor } from './event-plans.ts';
import type { EventPlanRules } from './event-plans.ts';
import type { Channel, Contact, Delivery, RenderedMessage } from './notification.ts';
import { CHANNELS } from './notification.ts';
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
    const outcomes: Record<Channel, ChannelOutcome> = {
      email: 'already-done',
      inApp: 'already-done',
    };
    for (const channel of CHANNELS) {
      const delivery = this.#newDelivery({ ...base, channel });
      outcomes[channel] =
        channel === 'email'
          ? await this.#email(delivery, contact, message)
          : await this.#inApp(delivery, contact, message);
    }
    return { kind: 'notified', outcomes };
  }

  async #email(
    delivery: Delivery,
    contact: Contact | undefined,
    message: RenderedMessage | undefined,
  ): Promise<ChannelOutcome> {
    if (contact === undefined || message === undefined) {
      return this.#fail(delivery, FAILURE_REASONS.recipientNotFound);
    }
    if (!contact.notificationPrefs.email) return this.#skip(delivery);
    if (contact.email === null) return this.#fail(delivery, FAILURE_REASONS.noEmailAddress);

    let attempt = 1;
    let outcome: ChannelOutcome = 'sent';
    if (!(await this.#options.deliveries.insert(delivery, []))) {
      const existing = await this.#options.deliveries.get(delivery.id);
      if (existing === undefined)
        throw new Error(`delivery ${delivery.id} neither inserted nor found`);
      if (existing.state !== 'pending') return 'already-done';
      // Pending: someone claimed it. Recently -> they may be sending right now; leave it to
      // them and look again later. Long ago (or released) -> they crashed or gave up: take over.
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
        const now = this.#now();
        const reason = `smtp-rejected: ${error.message}`.slice(0, 500);
        await this.#options.deliveries.settle(
          delivery.id,
          attempt,
          { state: 'failed', reason, now },
          [this.#outbox(notificationFailed(delivery, reason, now))],
        );
        this.#options.onEventsWritten?.();
        return 'failed';
      }
      // Not refused, just not now: let the next delivery of the event try at once.
      await this.#options.deliveries.release(delivery.id, attempt).catch(() => undefined);
      throw error;
    }
    const now = this.#now();
    await this.#options.deliveries.settle(
      delivery.id,
      attempt,
      { state: 'sent', reason: null, now },
      [this.#outbox(notificationSent(delivery, now))],
    );
    this.#options.onEventsWritten?.();
    return outcome;
  }

  async #inApp(
    delivery: Delivery,
    contact: Contact | undefined,
    message: RenderedMessage | undefined,
  ): Promise<ChannelOutcome> {
    if (contact === undefined || message === undefined) {
      return this.#fail(delivery, FAILURE_REASONS.recipientNotFound);
    }
    if (!contact.notificationPrefs.inApp) return this.#skip(delivery);
    // The item first, then the record with its event: each a unique insert, so a crash in
    // between is mended by the redelivery, and neither can exist twice.
    await this.#options.inbox.insertIfAbsent({
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
    const sent: Delivery = { ...delivery, state: 'sent' };
    const inserted = await this.#options.deliveries.insert(sent, [
      this.#outbox(notificationSent(sent, sent.updatedAt)),
    ]);
    if (!inserted) return 'already-done';
    this.#options.onEventsWritten?.();
    return 'sent';
  }

  /** Records a delivery that will not happen, with notification.failed (once). */
  async #fail(delivery: Delivery, reason: string): Promise<ChannelOutcome> {
    const failed: Delivery = { ...delivery, state: 'failed', reason };
    const inserted = await this.#options.deliveries.insert(failed, [
      this.#outbox(notificationFailed(failed, reason, failed.updatedAt)),
    ]);
    if (!inserted) return 'already-done';
    this.#options.onEventsWritten?.();
    return 'failed';
  }

  /** Records that the user's preferences say no, so a later change of mind does not resend. */
  async #skip(delivery: Delivery): Promise<ChannelOutcome> {
    const inserted = await this.#options.deliveries.insert(
      { ...delivery, state: 'skipped', reason: 'preference-off' },
      [],
    );
    return inserted ? 'skipped-preference' : 'already-done';
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

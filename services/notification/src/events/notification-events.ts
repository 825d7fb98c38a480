import { createCloudEvent } from '@shoal/kit';
import type { CloudEvent } from '@shoal/kit';
import type { Delivery } from '../domain/notification.ts';

/**
 * The events this service publishes to `platform-events` through its outbox, as CloudEvents
 * 1.0 with `source` = EVENT_SOURCE and `subject` = the user id. Their contracts live in the
 * event service (services/event/src/events/contracts/notification.*.json).
 */
export const EVENT_SOURCE = '/shoal/notification';

/** The `data` both events carry (the reporting service counts them). */
function deliveryData(delivery: Delivery) {
  return {
    eventId: delivery.eventId,
    eventType: delivery.eventType,
    userId: delivery.userId,
    channel: delivery.channel,
    template: delivery.template,
  };
}

/** `notification.sent`: the email was accepted by SMTP, or the inbox item was created. */
export function notificationSent(delivery: Delivery, at: Date): CloudEvent {
  return createCloudEvent({
    // Derived from the delivery, so a re-recorded outcome is the same event (the hub dedupes).
    id: `notification-${delivery.id}-sent`,
    type: 'notification.sent',
    source: EVENT_SOURCE,
    subject: delivery.userId,
    time: at,
    data: deliveryData(delivery),
  });
}

/** `notification.failed`: the delivery cannot happen (refused by SMTP, no address, no user). */
export function notificationFailed(delivery: Delivery, reason: string, at: Date): CloudEvent {
  return createCloudEvent({
    id: `notification-${delivery.id}-failed`,
    type: 'notification.failed',
    source: EVENT_SOURCE,
    subject: delivery.userId,
    time: at,
    data: { ...deliveryData(delivery), reason },
  });
}

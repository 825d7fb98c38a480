/** The domain's refusals and retry signals. */

/** No inbox item the caller may see with this id (404). */
export class NotificationNotFoundError extends Error {
  constructor() {
    super('no such notification');
    this.name = 'NotificationNotFoundError';
  }
}

/** A cursor that does not decode (400). */
export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not one this service issued');
    this.name = 'InvalidCursorError';
  }
}

/**
 * Another handler claimed this delivery moments ago and may be sending it now. Thrown so the
 * event comes back later (SQS visibility) and finds the outcome, instead of sending twice.
 */
export class DeliveryInProgressError extends Error {
  constructor(deliveryId: string) {
    super(`delivery ${deliveryId} is being sent by another handler; will look again later`);
    this.name = 'DeliveryInProgressError';
  }
}

/** The mail server refused the message for good (an SMTP 5xx): retrying cannot help. */
export class MailRejectedError extends Error {
  readonly responseCode: number | undefined;

  constructor(message: string, responseCode?: number) {
    super(message);
    this.name = 'MailRejectedError';
    this.responseCode = responseCode;
  }
}

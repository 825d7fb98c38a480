/** The domain's refusals; routes map each to one HTTP status. */

/** An event that breaks its contract (400 over HTTP; dead-lettered from the queue). */
export class ContractViolationError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ContractViolationError';
  }
}

/** Another consumer is fanning this event out right now; the message is retried later. */
export class FanoutInProgressError extends Error {
  constructor(id: string) {
    super(`event ${id} is being fanned out by another consumer`);
    this.name = 'FanoutInProgressError';
  }
}

/** No such event in the log (404). */
export class EventNotFoundError extends Error {
  constructor() {
    super('no such event');
    this.name = 'EventNotFoundError';
  }
}

/** A subscription name that is not configured (400). */
export class UnknownSubscriptionError extends Error {
  constructor(name: string) {
    super(`no subscription named "${name}"`);
    this.name = 'UnknownSubscriptionError';
  }
}

/** Publishing to some subscriber queues failed; the ones that worked are recorded. */
export class FanoutFailedError extends Error {
  constructor(id: string, failed: readonly string[], cause: unknown) {
    super(`event ${id}: publishing to ${failed.join(', ')} failed`, { cause });
    this.name = 'FanoutFailedError';
  }
}

import type { CloudEvent } from '@shoal/kit';
import {
  ContractViolationError,
  EventNotFoundError,
  FanoutFailedError,
  FanoutInProgressError,
  UnknownSubscriptionError,
} from './errors.ts';
import type { EventCursor, EventFilter, EventLog, StoredEvent } from './event-log.ts';
import { subscribersOf } from './subscriptions.ts';
import type { Subscription } from './subscriptions.ts';

/** The contract check (src/events/event-contracts.ts), as the hub sees it. */
export interface ContractCheck {
  check(event: CloudEvent): { ok: true } | { ok: false; reason: string };
}

/** The subscriber queues, by subscription name. */
export interface SubscriberQueues {
  /** Sends these envelopes (unchanged, same ids) to the subscription's queue. */
  publish(subscription: string, events: readonly CloudEvent[]): Promise<void>;
}

/** What the hub reports for metrics. */
export interface HubObserver {
  ingested(type: string): void;
  duplicate(type: string): void;
  /** `lagMs`: from the event's own time to its arrival on the subscriber queue. */
  fannedOut(subscription: string, lagMs: number): void;
}

export interface EventHubOptions {
  readonly log: EventLog;
  readonly contracts: ContractCheck;
  readonly subscriptions: readonly Subscription[];
  readonly queues: SubscriberQueues;
  /** How long a fan-out may take before another consumer may finish it. */
  readonly fanoutLeaseMs: number;
  /** Most events one replay sends. */
  readonly replayMaxEvents: number;
  readonly observer?: HubObserver;
  readonly now?: () => Date;
}

/** What a replay did. */
export interface ReplayResult {
  readonly replayed: number;
  /** True when the range held more than `replayMaxEvents`: replay the rest with a later `from`. */
  readonly truncated: boolean;
  /** `ingestedAt` of the last event sent (the next `from` when truncated). */
  readonly lastIngestedAt: Date | undefined;
}

const REPLAY_BATCH = 10;

/**
 * The event hub: checks each event against its contract, stores it once per id, and
 * publishes it once to every subscription that wants it. At least once: a crash between
 * publishing and recording it means one more copy later, never a lost one.
 */
export class EventHub {
  readonly #options: EventHubOptions;
  readonly #byName: Map<string, Subscription>;

  constructor(options: EventHubOptions) {
    this.#options = options;
    this.#byName = new Map(options.subscriptions.map((s) => [s.name, s]));
  }

  get subscriptions(): readonly Subscription[] {
    return this.#options.subscriptions;
  }

  /** The configured subscription called `name`; throws UnknownSubscriptionError. */
  subscription(name: string): Subscription {
    const found = this.#byName.get(name);
    if (found === undefined) throw new UnknownSubscriptionError(name);
    return found;
  }

  /** Throws ContractViolationError when the event breaks its type's contract. */
  check(event: CloudEvent): void {
    const verdict = this.#options.contracts.check(event);
    if (!verdict.ok) throw new ContractViolationError(verdict.reason);
  }

  /**
   * Stores the event (once per id) and fans it out to the subscriptions that have not had it.
   * `deliveryId` names this copy (the SQS message id): a copy that is not the one holding a
   * fan-out lease is a duplicate and done, since the holder finishes it (its own message comes
   * back if it crashes). The holder's own redelivery takes the fan-out over at once; anyone
   * takes over an expired lease. Throws FanoutFailedError when a queue refused the event (the
   * caller retries later) and FanoutInProgressError when a takeover lost a race.
   */
  async ingest(event: CloudEvent, deliveryId?: string): Promise<{ duplicate: boolean }> {
    this.check(event);
    const now = this.#now();
    const stored: StoredEvent = {
      id: event.id,
      type: event.type,
      source: event.source,
      subject: event.subject,
      time: event.time === undefined ? now : new Date(event.time),
      ingestedAt: now,
      event,
      subscribers: subscribersOf(event.type, this.#options.subscriptions),
      delivered: [],
      fanoutLeaseUntil: new Date(now.getTime() + this.#options.fanoutLeaseMs),
      fanoutOwner: deliveryId,
    };
    if (await this.#options.log.insert(stored)) {
      this.#options.observer?.ingested(event.type);
      await this.#fanOut(stored, stored.subscribers);
      return { duplicate: false };
    }
    const existing = await this.#options.log.get(event.id);
    if (existing === undefined) throw new Error(`event ${event.id} neither inserted nor found`);
    const pending = existing.subscribers.filter((name) => !existing.delivered.includes(name));
    if (pending.length === 0) {
      this.#options.observer?.duplicate(event.type);
      return { duplicate: true };
    }
    // Stored, but its fan-out is unfinished: someone is on it, or failed or crashed doing it.
    const lease = existing.fanoutLeaseUntil;
    const leaseHeld = lease !== undefined && lease.getTime() > now.getTime();
    const ours = deliveryId !== undefined && existing.fanoutOwner === deliveryId;
    if (leaseHeld && !ours) {
      this.#options.observer?.duplicate(event.type);
      return { duplicate: true };
    }
    const until = new Date(now.getTime() + this.#options.fanoutLeaseMs);
    if (!(await this.#options.log.claimFanout(event.id, lease, until, deliveryId))) {
      throw new FanoutInProgressError(event.id);
    }
    await this.#fanOut(existing, pending);
    return { duplicate: true };
  }

  /** Whether the log already holds an event with this id. */
  async has(id: string): Promise<boolean> {
    return (await this.#options.log.get(id)) !== undefined;
  }

  /** One stored event; throws EventNotFoundError. */
  async get(id: string): Promise<StoredEvent> {
    const found = await this.#options.log.get(id);
    if (found === undefined) throw new EventNotFoundError();
    return found;
  }

  /** A page of the log, newest first. */
  list(filter: EventFilter, cursor: EventCursor | undefined, limit: number) {
    return this.#options.log.list(filter, cursor, limit);
  }

  /**
   * Sends the stored events in the range that the subscription wants (and of `types`, if
   * given) to its queue again, oldest first, same ids: subscribers are idempotent, so this
   * is safe. Bounded by `replayMaxEvents` per call.
   */
  async replay(name: string, filter: EventFilter): Promise<ReplayResult> {
    const subscription = this.subscription(name);
    const max = this.#options.replayMaxEvents;
    let batch: CloudEvent[] = [];
    let replayed = 0;
    let lastIngestedAt: Date | undefined;
    let truncated = false;
    const wanted = { ...filter, typePatterns: subscription.types };
    for await (const stored of this.#options.log.scan(wanted, max + 1)) {
      if (replayed + batch.length === max) {
        truncated = true;
        break;
      }
      batch.push(stored.event);
      lastIngestedAt = stored.ingestedAt;
      if (batch.length === REPLAY_BATCH) {
        await this.#options.queues.publish(name, batch);
        replayed += batch.length;
        batch = [];
      }
    }
    if (batch.length > 0) {
      await this.#options.queues.publish(name, batch);
      replayed += batch.length;
    }
    return { replayed, truncated, lastIngestedAt };
  }

  async #fanOut(stored: StoredEvent, subscriptions: readonly string[]): Promise<void> {
    if (subscriptions.length === 0) return;
    const outcomes = await Promise.allSettled(
      subscriptions.map((name) => this.#options.queues.publish(name, [stored.event])),
    );
    const sent = subscriptions.filter((_, index) => outcomes[index]?.status === 'fulfilled');
    const failed = subscriptions.filter((_, index) => outcomes[index]?.status === 'rejected');
    const arrived = this.#now().getTime();
    for (const name of sent)
      this.#options.observer?.fannedOut(name, arrived - stored.time.getTime());
    await this.#options.log.recordDelivered(stored.id, sent);
    if (failed.length > 0) {
      const firstFailure = outcomes.find((outcome) => outcome.status === 'rejected');
      throw new FanoutFailedError(stored.id, failed, firstFailure?.reason);
    }
  }

  #now(): Date {
    return this.#options.now?.() ?? new Date();
  }
}

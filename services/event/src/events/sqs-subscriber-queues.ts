import type { CloudEvent, SqsPublisher } from '@shoal/kit';
import type { SubscriberQueues } from '../domain/event-hub.ts';
import type { QueuePair } from './queues.ts';

/** The hub's subscriber queues on SQS: envelopes go out unchanged, in batches of 10. */
export class SqsSubscriberQueues implements SubscriberQueues {
  readonly #publisher: SqsPublisher;
  readonly #queues: () => ReadonlyMap<string, QueuePair>;

  /** `queues` is read at each call: the queues are provisioned at start, after wiring. */
  constructor(publisher: SqsPublisher, queues: () => ReadonlyMap<string, QueuePair>) {
    this.#publisher = publisher;
    this.#queues = queues;
  }

  async publish(subscription: string, events: readonly CloudEvent[]): Promise<void> {
    const pair = this.#queues().get(subscription);
    if (pair === undefined) throw new Error(`no queue for subscription ${subscription}`);
    if (events.length === 1) await this.#publisher.publish(pair.queueUrl, events[0] as CloudEvent);
    else await this.#publisher.publishBatch(pair.queueUrl, events);
  }
}

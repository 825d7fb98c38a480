import { PublishBatchError } from '../messaging/sqs-publisher.ts';
import type { SqsPublisher } from '../messaging/sqs-publisher.ts';
import type { OutboxEvent } from './outbox-event.ts';
import type { QueueUrlResolver } from './queue-url-resolver.ts';

/** Which outbox events went out and which did not (with the reason), by event id. */
export interface PublishOutcome {
  published: string[];
  failed: Map<string, string>;
}

/**
 * Publishes outbox events grouped by destination queue and reports, per event id, what went
 * out. Never throws: a relay must record partial success rather than lose track of it.
 */
export async function publishGrouped(
  publisher: SqsPublisher,
  resolveQueueUrl: QueueUrlResolver,
  events: readonly OutboxEvent[],
): Promise<PublishOutcome> {
  const byQueue = new Map<string, OutboxEvent[]>();
  for (const entry of events) {
    const group = byQueue.get(entry.queue) ?? [];
    group.push(entry);
    byQueue.set(entry.queue, group);
  }
  const outcome: PublishOutcome = { published: [], failed: new Map() };
  for (const [queue, group] of byQueue) {
    const ids = group.map((entry) => entry.event.id);
    try {
      await publisher.publishBatch(
        await resolveQueueUrl(queue),
        group.map((entry) => entry.event),
      );
      outcome.published.push(...ids);
    } catch (error) {
      if (error instanceof PublishBatchError) {
        outcome.published.push(...error.publishedIds);
        for (const { id, reason } of error.failed) outcome.failed.set(id, reason);
      } else {
        for (const id of ids) outcome.failed.set(id, (error as Error).message);
      }
    }
  }
  return outcome;
}

import { PublishBatchError } from '../messaging/sqs-publisher.ts';
import type { SqsPublisher } from '../messaging/sqs-publisher.ts';
import type { OutboxEvent } from './outbox-event.ts';
import type { QueueUrlResolver } from './queue-url-resolver.ts';

/** Which outbox entries went out and which did not (with the reason). */
export interface PublishOutcome<Entry extends OutboxEvent> {
  published: Entry[];
  failed: Map<Entry, string>;
}

/**
 * Publishes outbox entries grouped by destination queue and reports, per ENTRY, what went
 * out. Entries, not event ids: one event may be bound for several queues, and a success on
 * one must not mark its copy for another as sent. Never throws: a relay must record partial
 * success rather than lose track of it.
 */
export async function publishGrouped<Entry extends OutboxEvent>(
  publisher: SqsPublisher,
  resolveQueueUrl: QueueUrlResolver,
  entries: readonly Entry[],
): Promise<PublishOutcome<Entry>> {
  const byQueue = new Map<string, Entry[]>();
  for (const entry of entries) {
    const group = byQueue.get(entry.queue) ?? [];
    group.push(entry);
    byQueue.set(entry.queue, group);
  }
  const outcome: PublishOutcome<Entry> = { published: [], failed: new Map() };
  for (const [queue, group] of byQueue) {
    // Within one queue an event id names one entry, so the publisher's per-id report maps back.
    const entryById = new Map(group.map((entry) => [entry.event.id, entry]));
    try {
      await publisher.publishBatch(
        await resolveQueueUrl(queue),
        group.map((entry) => entry.event),
      );
      outcome.published.push(...group);
    } catch (error) {
      if (error instanceof PublishBatchError) {
        for (const id of error.publishedIds) {
          const entry = entryById.get(id);
          if (entry !== undefined) outcome.published.push(entry);
        }
        for (const { id, reason } of error.failed) {
          const entry = entryById.get(id);
          if (entry !== undefined) outcome.failed.set(entry, reason);
        }
      } else {
        for (const entry of group) outcome.failed.set(entry, (error as Error).message);
      }
    }
  }
  return outcome;
}

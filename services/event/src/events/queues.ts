import type { SQSClient } from '@aws-sdk/client-sqs';
import { ensureQueues } from '@shoal/kit';
import type { Subscription } from '../domain/subscriptions.ts';

/** A queue this service reads or writes, with the dead-letter queue behind it. */
export interface QueuePair {
  /** What admins call it: a subscription name, or the ingest queue's name. */
  readonly name: string;
  readonly queue: string;
  readonly queueUrl: string;
  readonly deadLetterQueue: string;
  readonly deadLetterUrl: string;
}

/**
 * Creates (idempotently) the ingest queue and every subscriber queue, each with its DLQ and a
 * redrive policy after `maxReceiveCount` receives. Returns them by name.
 */
export async function provisionQueues(
  sqs: SQSClient,
  options: {
    ingestQueue: string;
    subscriptions: readonly Subscription[];
    maxReceiveCount: number;
    visibilityTimeoutSec: number;
  },
): Promise<Map<string, QueuePair>> {
  const pairs = [
    {
      name: options.ingestQueue,
      queue: options.ingestQueue,
      deadLetterQueue: `${options.ingestQueue}-dlq`,
    },
    ...options.subscriptions.map(({ name, queue, deadLetterQueue }) => ({
      name,
      queue,
      deadLetterQueue,
    })),
  ];
  const urls = await ensureQueues(
    sqs,
    pairs.map((pair) => ({
      name: pair.queue,
      visibilityTimeout: options.visibilityTimeoutSec,
      dlq: { name: pair.deadLetterQueue, maxReceiveCount: options.maxReceiveCount },
    })),
  );
  const url = (name: string): string => {
    const found = urls[name];
    if (found === undefined) throw new Error(`no URL for queue ${name}`);
    return found;
  };
  return new Map(
    pairs.map((pair) => [
      pair.name,
      { ...pair, queueUrl: url(pair.queue), deadLetterUrl: url(pair.deadLetterQueue) },
    ]),
  );
}

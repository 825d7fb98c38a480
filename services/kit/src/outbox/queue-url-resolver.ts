import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { ensureQueues } from '../messaging/ensure-queues.ts';

/** Turns the queue an outbox row names into the URL to publish to. */
export type QueueUrlResolver = (queue: string) => Promise<string>;

/** Looks a queue up (GetQueueUrl), or creates it when missing (idempotent CreateQueue). */
function lookUp(client: SQSClient, queue: string, createMissing: boolean): Promise<string> {
  const url = createMissing
    ? ensureQueues(client, [{ name: queue }]).then((created) => created[queue])
    : client.send(new GetQueueUrlCommand({ QueueName: queue })).then(({ QueueUrl }) => QueueUrl);
  return url.then((found) => {
    if (found === undefined) throw new Error(`no URL for queue ${queue}`);
    return found;
  });
}

/**
 * Resolves queue names to URLs: full URLs pass through, names found in `known` use that URL,
 * anything else is looked up once and cached — or, with `createMissing`, created on first use,
 * so events written before anyone provisioned their queue still go out once SQS answers.
 * Outbox rows store names, so they stay valid when the SQS endpoint differs between
 * environments.
 */
export function queueUrlResolver(
  client: SQSClient,
  known: Record<string, string> = {},
  options: { createMissing?: boolean } = {},
): QueueUrlResolver {
  const cache = new Map<string, Promise<string>>(
    Object.entries(known).map(([k, v]) => [k, Promise.resolve(v)]),
  );
  return (queue) => {
    if (/^https?:\/\//.test(queue)) return Promise.resolve(queue);
    let url = cache.get(queue);
    if (url === undefined) {
      url = lookUp(client, queue, options.createMissing ?? false);
      // A failed lookup (queue missing, SQS down) is retried next time, not cached.
      url.catch(() => cache.delete(queue));
      cache.set(queue, url);
    }
    return url;
  };
}

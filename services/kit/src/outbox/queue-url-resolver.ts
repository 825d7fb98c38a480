import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';

/** Turns the queue an outbox row names into the URL to publish to. */
export type QueueUrlResolver = (queue: string) => Promise<string>;

/**
 * Resolves queue names to URLs: full URLs pass through, names found in `known` use that URL,
 * anything else is looked up once with GetQueueUrl and cached. Outbox rows store names, so
 * they stay valid when the SQS endpoint differs between environments.
 */
export function queueUrlResolver(
  client: SQSClient,
  known: Record<string, string> = {},
): QueueUrlResolver {
  const cache = new Map<string, Promise<string>>(
    Object.entries(known).map(([k, v]) => [k, Promise.resolve(v)]),
  );
  return (queue) => {
    if (/^https?:\/\//.test(queue)) return Promise.resolve(queue);
    let url = cache.get(queue);
    if (url === undefined) {
      url = client.send(new GetQueueUrlCommand({ QueueName: queue })).then(({ QueueUrl }) => {
        if (QueueUrl === undefined) throw new Error(`no URL for queue ${queue}`);
        return QueueUrl;
      });
      // A failed lookup (queue missing, SQS down) is retried next time, not cached.
      url.catch(() => cache.delete(queue));
      cache.set(queue, url);
    }
    return url;
  };
}

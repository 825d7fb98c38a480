import type { SQSClient } from '@aws-sdk/client-sqs';
import { ensureQueues, MongoOutboxRelay, SqsPublisher } from '@shoal/kit';
import type { Logger, QueueUrlResolver } from '@shoal/kit';
import type { Collection, Document } from 'mongodb';

/**
 * Creates the queue on first use (idempotent), so events written before anyone provisioned
 * the queue still go out once it exists. A failed attempt is retried at the next round.
 */
function creatingQueueResolver(sqs: SQSClient): QueueUrlResolver {
  const urls = new Map<string, Promise<string>>();
  return (queue) => {
    let url = urls.get(queue);
    if (url === undefined) {
      url = ensureQueues(sqs, [{ name: queue }]).then((created) => {
        const found = created[queue];
        if (found === undefined) throw new Error(`no URL for queue ${queue}`);
        return found;
      });
      url.catch(() => urls.delete(queue));
      urls.set(queue, url);
    }
    return url;
  };
}

/** The kit's MongoDB outbox relay over the profiles collection. */
export function createOutboxRelay(options: {
  collection: Collection<Document>;
  sqs: SQSClient;
  pollIntervalMs: number;
  logger: Logger;
}): MongoOutboxRelay {
  return new MongoOutboxRelay({
    collection: options.collection,
    publisher: new SqsPublisher({ client: options.sqs }),
    resolveQueueUrl: creatingQueueResolver(options.sqs),
    pollIntervalMs: options.pollIntervalMs,
    logger: options.logger,
  });
}

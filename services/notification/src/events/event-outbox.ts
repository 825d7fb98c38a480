import type { SQSClient } from '@aws-sdk/client-sqs';
import { MongoOutboxRelay, queueUrlResolver, SqsPublisher } from '@shoal/kit';
import type { Logger } from '@shoal/kit';
import type { Collection, Document } from 'mongodb';

/** The kit's MongoDB outbox relay over the deliveries collection. */
export function createOutboxRelay(options: {
  collection: Collection<Document>;
  sqs: SQSClient;
  pollIntervalMs: number;
  logger: Logger;
}): MongoOutboxRelay {
  return new MongoOutboxRelay({
    collection: options.collection,
    publisher: new SqsPublisher({ client: options.sqs }),
    resolveQueueUrl: queueUrlResolver(options.sqs, {}, { createMissing: true }),
    pollIntervalMs: options.pollIntervalMs,
    logger: options.logger,
  });
}

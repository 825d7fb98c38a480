import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SqsConsumer } from '@shoal/kit';
import type { CloudEvent, Logger } from '@shoal/kit';
import { ContractViolationError } from '../domain/errors.ts';
import type { EventHub } from '../domain/event-hub.ts';
import type { QueuePair } from './queues.ts';

/** The message attribute that tells an operator why an event was dead-lettered at once. */
export const REJECTION_REASON_ATTRIBUTE = 'shoal-rejection-reason';

export interface IngestConsumerOptions {
  readonly sqs: SQSClient;
  readonly hub: EventHub;
  readonly ingest: QueuePair;
  readonly concurrency: number;
  readonly waitTimeSeconds: number;
  readonly visibilityTimeoutSec: number;
  readonly retryDelayMaxSec: number;
  readonly logger: Logger;
  /** Counts contract rejections (metrics). */
  readonly onRejected?: (event: CloudEvent, reason: string) => void;
}

/**
 * Consumes the ingest queue into the hub. An event that breaks its contract will never get
 * better: it goes straight to the ingest DLQ with the reason attached and logged. Anything
 * else that fails (database or a subscriber queue away) is retried with exponential backoff,
 * and after MAX_RECEIVE_COUNT receives SQS moves it to the DLQ.
 */
export function createIngestConsumer(options: IngestConsumerOptions): SqsConsumer {
  const { sqs, hub, ingest, logger } = options;
  return new SqsConsumer({
    client: sqs,
    queueUrl: ingest.queueUrl,
    concurrency: options.concurrency,
    waitTimeSeconds: options.waitTimeSeconds,
    visibilityTimeoutSec: options.visibilityTimeoutSec,
    retryDelaySec: (receiveCount) =>
      Math.min(options.retryDelayMaxSec, 2 ** Math.max(0, receiveCount - 1)),
    logger,
    handler: async (event, message) => {
      try {
        await hub.ingest(event, message.messageId);
      } catch (error) {
        if (!(error instanceof ContractViolationError)) throw error;
        logger.warn('event rejected: it breaks its contract; moved to the dead-letter queue', {
          event_id: event.id,
          event_type: event.type,
          message_id: message.messageId,
          reason: error.message,
        });
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: ingest.deadLetterUrl,
            MessageBody: JSON.stringify(event),
            MessageAttributes: {
              'ce-type': { DataType: 'String', StringValue: event.type.slice(0, 256) || '-' },
              [REJECTION_REASON_ATTRIBUTE]: {
                DataType: 'String',
                StringValue: error.message.slice(0, 1024),
              },
            },
          }),
        );
        options.onRejected?.(event, error.message);
      }
    },
  });
}

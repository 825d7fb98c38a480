import type { SQSClient } from '@aws-sdk/client-sqs';
import { InvalidCloudEventError, SqsConsumer } from '@shoal/kit';
import type { Logger } from '@shoal/kit';
import { PoisonEventError, factFromEvent } from '../domain/event-fact.ts';
import type { ConsumeOutcome } from './consumer-metrics.ts';
import type { FactBatcher } from './fact-batcher.ts';

export interface ReportingConsumerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly batcher: FactBatcher;
  readonly concurrency: number;
  readonly waitTimeSeconds: number;
  readonly visibilityTimeoutSec: number;
  readonly maxReceiveCount: number;
  readonly logger: Logger;
  /** Counts what happened to each message (metrics). */
  readonly onOutcome?: (outcome: ConsumeOutcome) => void;
}

/**
 * Consumes `reporting-events` into the report store. A message that is not a CloudEvent (the
 * kit's consumer refuses it) or whose event lacks what the reports need is poison: it is
 * logged and left undeleted, and after MAX_RECEIVE_COUNT receives SQS moves it to the DLQ.
 * It never joins a write batch, so it holds back no other event. A database failure leaves
 * the message for redelivery too; recording is idempotent by event id.
 */
export function createReportingConsumer(options: ReportingConsumerOptions): SqsConsumer {
  const { logger } = options;
  return new SqsConsumer({
    client: options.sqs,
    queueUrl: options.queueUrl,
    concurrency: options.concurrency,
    waitTimeSeconds: options.waitTimeSeconds,
    visibilityTimeoutSec: options.visibilityTimeoutSec,
    // Retry soon, backing off: a database blip passes, a poison message reaches the DLQ fast.
    retryDelaySec: (receiveCount) => Math.min(60, 2 ** Math.max(0, receiveCount - 1)),
    logger,
    onFailed: (error, message) => {
      if (error instanceof PoisonEventError) return; // counted and logged by the handler
      if (error instanceof InvalidCloudEventError) {
        options.onOutcome?.('poison');
        logger.warn('poison message: not a CloudEvent; left for the dead-letter queue', {
          message_id: message.messageId,
          receive_count: message.receiveCount,
          dead_letter_after: options.maxReceiveCount,
          reason: error.message,
        });
        return;
      }
      options.onOutcome?.('failed');
      if (message.receiveCount >= options.maxReceiveCount) {
        logger.error('message failed its last receive; SQS moves it to the dead-letter queue', {
          message_id: message.messageId,
          receive_count: message.receiveCount,
          error: (error as Error).message,
        });
      }
    },
    handler: async (event, message) => {
      let fact;
      try {
        fact = factFromEvent(event);
      } catch (error) {
        if (!(error instanceof PoisonEventError)) throw error;
        options.onOutcome?.('poison');
        logger.warn('poison event: it will never be reportable; left for the dead-letter queue', {
          event_id: event.id.slice(0, 200),
          event_type: event.type.slice(0, 200),
          message_id: message.messageId,
          receive_count: message.receiveCount,
          dead_letter_after: options.maxReceiveCount,
          reason: error.message,
        });
        throw error;
      }
      await options.batcher.add(fact);
      options.onOutcome?.('recorded');
    },
  });
}

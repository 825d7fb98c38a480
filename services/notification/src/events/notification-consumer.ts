import type { SQSClient } from '@aws-sdk/client-sqs';
import { SqsConsumer } from '@shoal/kit';
import type { CloudEvent, Logger } from '@shoal/kit';
import type { Notifier, NotifyResult } from '../domain/notifier.ts';

export interface NotificationConsumerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly notifier: Notifier;
  readonly concurrency: number;
  readonly waitTimeSeconds: number;
  /** The pause before the n-th retry is base * 2^(n-1) seconds, capped at max. */
  readonly retryDelayBaseSec: number;
  readonly retryDelayMaxSec: number;
  readonly logger: Logger;
  /** Called with the outcome of each event handled (metrics, tests). */
  readonly onHandled?: (event: CloudEvent, result: NotifyResult) => void;
  /** Called when a handler failed (metrics). */
  readonly onFailed?: () => void;
}

/** Seconds before a failed event may be retried, after its `receiveCount`-th receive. */
export function retryDelaySec(receiveCount: number, baseSec: number, maxSec: number): number {
  return Math.min(maxSec, baseSec * 2 ** Math.max(0, receiveCount - 1));
}

/**
 * Consumes `notification-events`. A handler that throws (user service down, SMTP away, the
 * same delivery in progress elsewhere) leaves the message; it comes back after a growing pause
 * and, after the queue's maxReceiveCount receives, waits in its DLQ for a redrive: never dropped.
 */
export function createNotificationConsumer(options: NotificationConsumerOptions): SqsConsumer {
  const { logger } = options;
  return new SqsConsumer({
    client: options.sqs,
    queueUrl: options.queueUrl,
    concurrency: options.concurrency,
    waitTimeSeconds: options.waitTimeSeconds,
    retryDelaySec: (receiveCount) =>
      retryDelaySec(receiveCount, options.retryDelayBaseSec, options.retryDelayMaxSec),
    logger,
    ...(options.onFailed === undefined ? {} : { onFailed: options.onFailed }),
    handler: async (event) => {
      const result = await options.notifier.handle(event);
      if (result.kind === 'ignored') {
        logger.debug('event ignored', {
          event_id: event.id,
          type: event.type,
          reason: result.reason,
        });
      } else {
        logger.info('event notified', { event_id: event.id, type: event.type, ...result.outcomes });
      }
      options.onHandled?.(event, result);
    },
  });
}

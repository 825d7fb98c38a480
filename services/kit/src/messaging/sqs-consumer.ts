import { ChangeMessageVisibilityCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { Message, SQSClient } from '@aws-sdk/client-sqs';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Worker } from '../lifecycle/worker.ts';
import type { Logger } from '../logger/logger.ts';
import { parseCloudEvent } from './cloud-event.ts';
import type { CloudEvent } from './cloud-event.ts';
import { DeleteBatcher } from './delete-batcher.ts';
import { queueName } from './sqs-publisher.ts';
import { consumerTraceContext } from './trace-attributes.ts';

const tracer = trace.getTracer('@shoal/kit/messaging');

/** What the handler learns about the message besides the event itself. */
export interface ReceivedMessage {
  messageId: string;
  /** How many times SQS has handed this message out (1 on first delivery). */
  receiveCount: number;
  /** String message attributes (`ce-type`, `traceparent`...). */
  attributes: Record<string, string>;
}

/** Handles one event; resolving deletes the message, throwing leaves it for redelivery. */
export type EventHandler<T = unknown> = (
  event: CloudEvent<T>,
  message: ReceivedMessage,
) => Promise<void>;

export interface SqsConsumerOptions<T = unknown> {
  client: SQSClient;
  queueUrl: string;
  handler: EventHandler<T>;
  /** Handlers running at once. Default 10. */
  concurrency?: number;
  /** Long-poll duration, 0-20 s. Default 20. */
  waitTimeSeconds?: number;
  /** Visibility timeout given to received messages, in seconds. Default 30. */
  visibilityTimeoutSec?: number;
  /** How often a running handler's message gets its visibility renewed. Default a third of it. */
  heartbeatIntervalSec?: number;
  /**
   * Seconds until a failed message may be retried, by receive count; undefined leaves the
   * queue's visibility timeout. E.g. `(n) => Math.min(2 ** n, 300)` for exponential backoff.
   */
  retryDelaySec?: (receiveCount: number) => number | undefined;
  /** How long stop() waits for in-flight handlers. Default 25 s. */
  stopTimeoutMs?: number;
  logger?: Logger;
  /** Called after a handler succeeded and its message was deleted (metrics). */
  onProcessed?: (event: CloudEvent<T>, message: ReceivedMessage, durationMs: number) => void;
  /** Called when a message failed: unparsable, or its handler threw (metrics). */
  onFailed?: (error: unknown, message: ReceivedMessage) => void;
}

/** Running totals, for metrics and for tests. */
export interface ConsumerStats {
  received: number;
  processed: number;
  failed: number;
  inFlight: number;
}

/**
 * A long-polling SQS consumer of CloudEvents: bounded concurrency, visibility heartbeats while a
 * handler runs, delete on success (batched with other handlers' deletes), redelivery (then the DLQ) on failure, handlers run in a span
 * continuing the producer's trace. start() / stop() follow the kit's Worker contract.
 */
export class SqsConsumer<T = unknown> implements Worker {
  readonly stats: ConsumerStats = { received: 0, processed: 0, failed: 0, inFlight: 0 };
  readonly #options: SqsConsumerOptions<T>;
  readonly #concurrency: number;
  readonly #visibilityTimeoutSec: number;
  readonly #heartbeatMs: number;
  readonly #deletes: DeleteBatcher;
  readonly #inFlight = new Set<Promise<void>>();
  #running = false;
  #poller: Promise<void> | undefined;
  #receiveAbort = new AbortController();
  #slotFreed: (() => void) | undefined;

  constructor(options: SqsConsumerOptions<T>) {
    this.#options = options;
    this.#concurrency = options.concurrency ?? 10;
    this.#visibilityTimeoutSec = options.visibilityTimeoutSec ?? 30;
    const waitTime = options.waitTimeSeconds ?? 20;
    if (!Number.isInteger(this.#concurrency) || this.#concurrency < 1) {
      throw new TypeError('SqsConsumer: concurrency must be a positive integer');
    }
    if (!Number.isInteger(waitTime) || waitTime < 0 || waitTime > 20) {
      throw new TypeError('SqsConsumer: waitTimeSeconds must be an integer from 0 to 20');
    }
    if (!Number.isInteger(this.#visibilityTimeoutSec) || this.#visibilityTimeoutSec < 1) {
      throw new TypeError('SqsConsumer: visibilityTimeoutSec must be a positive integer');
    }
    const heartbeatSec = options.heartbeatIntervalSec ?? this.#visibilityTimeoutSec / 3;
    if (!(heartbeatSec > 0 && heartbeatSec < this.#visibilityTimeoutSec)) {
      throw new TypeError('SqsConsumer: heartbeatIntervalSec must be below visibilityTimeoutSec');
    }
    this.#heartbeatMs = heartbeatSec * 1000;
    this.#deletes = new DeleteBatcher(options.client, options.queueUrl);
  }

  /** Starts polling in the background. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#receiveAbort = new AbortController();
    this.#poller = this.#poll();
  }

  /**
   * Stops polling (an ongoing long poll is cancelled) and waits for in-flight handlers, up to
   * stopTimeoutMs. Handlers still running after that keep their messages undeleted, so SQS
   * redelivers them: nothing is lost.
   */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#receiveAbort.abort();
    this.#slotFreed?.();
    await this.#poller;
    const timeoutMs = this.#options.stopTimeoutMs ?? 25_000;
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      Promise.allSettled(this.#inFlight).then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
    ]);
    clearTimeout(timer);
    if (!drained) {
      this.#options.logger?.warn('consumer stopped with handlers still running', {
        queue: queueName(this.#options.queueUrl),
        in_flight: this.#inFlight.size,
      });
    }
  }

  async #poll(): Promise<void> {
    let errorBackoffMs = 0;
    while (this.#running) {
      await this.#freeSlot();
      if (!this.#running) break;
      let messages: Message[];
      try {
        const result = await this.#options.client.send(
          new ReceiveMessageCommand({
            QueueUrl: this.#options.queueUrl,
            MaxNumberOfMessages: Math.min(10, this.#concurrency - this.#inFlight.size),
            WaitTimeSeconds: this.#options.waitTimeSeconds ?? 20,
            VisibilityTimeout: this.#visibilityTimeoutSec,
            MessageAttributeNames: ['All'],
            MessageSystemAttributeNames: ['ApproximateReceiveCount'],
          }),
          { abortSignal: this.#receiveAbort.signal },
        );
        messages = result.Messages ?? [];
        errorBackoffMs = 0;
      } catch (error) {
        if (!this.#running) break;
        // SQS unreachable or refusing: keep trying, backing off to at most 30 s between polls.
        errorBackoffMs = Math.min(30_000, Math.max(500, errorBackoffMs * 2));
        this.#options.logger?.error('receiving from SQS failed', {
          queue: queueName(this.#options.queueUrl),
          error: (error as Error).message,
          retry_in_ms: errorBackoffMs,
        });
        await sleep(errorBackoffMs, this.#receiveAbort.signal);
        continue;
      }
      for (const message of messages) {
        const done = this.#handle(message).finally(() => {
          this.#inFlight.delete(done);
          this.stats.inFlight = this.#inFlight.size;
          this.#slotFreed?.();
        });
        this.#inFlight.add(done);
        this.stats.inFlight = this.#inFlight.size;
      }
    }
  }

  /** Resolves once fewer than `concurrency` handlers run (or stop() was called). */
  async #freeSlot(): Promise<void> {
    while (this.#running && this.#inFlight.size >= this.#concurrency) {
      await new Promise<void>((resolve) => (this.#slotFreed = resolve));
    }
    this.#slotFreed = undefined;
  }

  async #handle(message: Message): Promise<void> {
    this.stats.received++;
    const receiptHandle = message.ReceiptHandle as string;
    const info: ReceivedMessage = {
      messageId: message.MessageId ?? '',
      receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 1),
      attributes: Object.fromEntries(
        Object.entries(message.MessageAttributes ?? {})
          .filter(([, value]) => value.StringValue !== undefined)
          .map(([key, value]) => [key, value.StringValue as string]),
      ),
    };
    const heartbeat = setInterval(() => {
      this.#changeVisibility(receiptHandle, this.#visibilityTimeoutSec);
    }, this.#heartbeatMs);
    const started = Date.now();
    let event: CloudEvent<T>;
    try {
      event = parseCloudEvent(message.Body ?? '') as CloudEvent<T>;
      await this.#runHandler(event, info, message);
    } catch (error) {
      clearInterval(heartbeat);
      this.stats.failed++;
      this.#options.onFailed?.(error, info);
      this.#options.logger?.warn('event handler failed; the message will be redelivered', {
        queue: queueName(this.#options.queueUrl),
        message_id: info.messageId,
        receive_count: info.receiveCount,
        error: (error as Error).message,
      });
      const delay = this.#options.retryDelaySec?.(info.receiveCount);
      if (delay !== undefined) this.#changeVisibility(receiptHandle, delay);
      return;
    }
    clearInterval(heartbeat);
    try {
      await this.#deletes.delete(receiptHandle);
    } catch (error) {
      // Handled but not deleted: it comes back, and idempotent handlers shrug it off.
      this.#options.logger?.error('deleting a handled message failed', {
        message_id: info.messageId,
        error: (error as Error).message,
      });
    }
    this.stats.processed++;
    this.#options.onProcessed?.(event, info, Date.now() - started);
  }

  async #runHandler(event: CloudEvent<T>, info: ReceivedMessage, message: Message) {
    const parent = consumerTraceContext(event, message.MessageAttributes);
    await tracer.startActiveSpan(
      `${queueName(this.#options.queueUrl)} process`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'aws_sqs',
          'messaging.operation.type': 'process',
          'messaging.destination.name': queueName(this.#options.queueUrl),
          'messaging.message.id': info.messageId,
          'cloudevents.event_id': event.id,
          'cloudevents.event_type': event.type,
        },
      },
      parent,
      async (span) => {
        try {
          await this.#options.handler(event, info);
        } catch (error) {
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  #changeVisibility(receiptHandle: string, seconds: number): void {
    this.#options.client
      .send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: this.#options.queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: seconds,
        }),
      )
      .catch((error: unknown) => {
        this.#options.logger?.warn('changing message visibility failed', {
          error: (error as Error).message,
        });
      });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

import { SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient, SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { CloudEvent } from './cloud-event.ts';
import { injectTraceAttributes } from './trace-attributes.ts';
import type { MessageAttributes } from './trace-attributes.ts';

/** SQS accepts at most 10 entries per SendMessageBatch... */
const MAX_BATCH_ENTRIES = 10;
/** ...and refuses the whole request when their payloads together exceed its size limit. */
const DEFAULT_MAX_BATCH_BYTES = 256 * 1024;

const tracer = trace.getTracer('@shoal/kit/messaging');

export interface SqsPublisherOptions {
  client: SQSClient;
  /** Extra rounds for the entries of a batch that SQS refused. Default 3. */
  batchRetries?: number;
  /** Pause before such a round (doubled each time). Default 100 ms. */
  batchRetryDelayMs?: number;
  /**
   * Payload bytes per SendMessageBatch request. Default 256 KiB, the classic SQS limit (AWS
   * now takes 1 MiB). Events are grouped under it, so one big event never sinks its neighbours.
   */
  maxBatchBytes?: number;
  /**
   * Bound on one SQS request, SDK retries included. Default 10 s. Without it a silent network
   * would hang the caller, and an outbox relay would hold its claimed rows indefinitely.
   */
  requestTimeoutMs?: number;
}

/** Some events of a batch could not be published even after retries; none is silently lost. */
export class PublishBatchError extends Error {
  /** Ids of the events that did reach the queue. */
  readonly publishedIds: string[];
  /** Ids of the events that did not, with SQS's reason. */
  readonly failed: Array<{ id: string; reason: string }>;

  constructor(
    queueUrl: string,
    publishedIds: string[],
    failed: Array<{ id: string; reason: string }>,
  ) {
    super(
      `${failed.length} event(s) could not be published to ${queueUrl}: ` +
        failed
          .slice(0, 3)
          .map((f) => `${f.id} (${f.reason})`)
          .join(', '),
    );
    this.name = 'PublishBatchError';
    this.publishedIds = publishedIds;
    this.failed = failed;
  }
}

/** Publishes CloudEvents to SQS, with the trace context and `ce-type` as message attributes. */
export class SqsPublisher {
  readonly #client: SQSClient;
  readonly #batchRetries: number;
  readonly #batchRetryDelayMs: number;
  readonly #maxBatchBytes: number;
  readonly #requestTimeoutMs: number;

  constructor(options: SqsPublisherOptions) {
    this.#client = options.client;
    this.#batchRetries = options.batchRetries ?? 3;
    this.#batchRetryDelayMs = options.batchRetryDelayMs ?? 100;
    this.#maxBatchBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
  }

  /** Sends one event; resolves with the SQS message id. */
  async publish(queueUrl: string, event: CloudEvent, options: { delaySeconds?: number } = {}) {
    return tracer.startActiveSpan(
      `${queueName(queueUrl)} publish`,
      { kind: SpanKind.PRODUCER, attributes: spanAttributes(queueUrl, 1) },
      async (span) => {
        try {
          const { MessageId } = await this.#client.send(
            new SendMessageCommand({
              QueueUrl: queueUrl,
              MessageBody: JSON.stringify(event),
              MessageAttributes: attributesFor(event),
              DelaySeconds: options.delaySeconds,
            }),
            { abortSignal: AbortSignal.timeout(this.#requestTimeoutMs) },
          );
          return MessageId as string;
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  /**
   * Sends many events in batches of 10. Entries SQS refuses are sent again (bounded); if some
   * still fail, throws PublishBatchError listing exactly which were and were not published.
   */
  async publishBatch(queueUrl: string, events: readonly CloudEvent[]): Promise<void> {
    if (events.length === 0) return;
    await tracer.startActiveSpan(
      `${queueName(queueUrl)} publish`,
      { kind: SpanKind.PRODUCER, attributes: spanAttributes(queueUrl, events.length) },
      async (span) => {
        const published: string[] = [];
        const failed: Array<{ id: string; reason: string }> = [];
        try {
          for (const chunk of batches(events, this.#maxBatchBytes)) {
            const outcome = await this.#sendChunk(queueUrl, chunk);
            published.push(...outcome.published);
            failed.push(...outcome.failed);
          }
          if (failed.length > 0) throw new PublishBatchError(queueUrl, published, failed);
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  async #sendChunk(queueUrl: string, chunk: readonly CloudEvent[]) {
    // Entry ids only need to be unique within one request; the index maps answers back.
    let pending = chunk.map((event, index) => ({ entryId: `m${index}`, event }));
    const published: string[] = [];
    let reasons = new Map<string, string>();
    for (let round = 0; round <= this.#batchRetries && pending.length > 0; round++) {
      if (round > 0) await sleep(this.#batchRetryDelayMs * 2 ** (round - 1));
      const entries: SendMessageBatchRequestEntry[] = pending.map(({ entryId, event }) => ({
        Id: entryId,
        MessageBody: JSON.stringify(event),
        MessageAttributes: attributesFor(event),
      }));
      let failedIds: Set<string>;
      try {
        const result = await this.#client.send(
          new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }),
          { abortSignal: AbortSignal.timeout(this.#requestTimeoutMs) },
        );
        reasons = new Map(
          (result.Failed ?? []).map((f) => [f.Id ?? '', f.Message ?? f.Code ?? '']),
        );
        failedIds = new Set(reasons.keys());
      } catch (error) {
        // The whole request failed (network, throttling past the SDK's own retries).
        const reason = (error as Error).message;
        reasons = new Map(pending.map(({ entryId }) => [entryId, reason]));
        failedIds = new Set(reasons.keys());
      }
      published.push(...pending.filter((p) => !failedIds.has(p.entryId)).map((p) => p.event.id));
      pending = pending.filter((p) => failedIds.has(p.entryId));
    }
    const failed = pending.map((p) => ({
      id: p.event.id,
      reason: reasons.get(p.entryId) ?? 'unknown',
    }));
    return { published, failed };
  }
}

/**
 * Splits events into SendMessageBatch-sized groups: at most 10 entries and `maxBytes` of
 * payload each; an event larger than `maxBytes` travels alone (and fails alone if too big).
 */
function batches(events: readonly CloudEvent[], maxBytes: number): CloudEvent[][] {
  const groups: CloudEvent[][] = [];
  let current: CloudEvent[] = [];
  let currentBytes = 0;
  for (const event of events) {
    const bytes = Buffer.byteLength(JSON.stringify(event)) + ATTRIBUTE_BYTES_ALLOWANCE;
    if (
      current.length === MAX_BATCH_ENTRIES ||
      (current.length > 0 && currentBytes + bytes > maxBytes)
    ) {
      groups.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(event);
    currentBytes += bytes;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Room for the attributes of one message (ce-type, traceparent, tracestate), which count too. */
const ATTRIBUTE_BYTES_ALLOWANCE = 1024;

/** The attributes every message carries: the event type and the W3C trace context. */
function attributesFor(event: CloudEvent): MessageAttributes {
  const attributes: MessageAttributes = {
    'ce-type': { DataType: 'String', StringValue: event.type },
  };
  injectTraceAttributes(attributes);
  return attributes;
}

function spanAttributes(queueUrl: string, count: number) {
  return {
    'messaging.system': 'aws_sqs',
    'messaging.operation.type': 'send',
    'messaging.destination.name': queueName(queueUrl),
    'messaging.batch.message_count': count,
  };
}

/** The queue's name: the last path segment of its URL. */
export function queueName(queueUrl: string): string {
  return queueUrl.slice(queueUrl.lastIndexOf('/') + 1);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { Message, MessageAttributeValue, SQSClient } from '@aws-sdk/client-sqs';
import { REJECTION_REASON_ATTRIBUTE } from './ingest-consumer.ts';
import type { QueuePair } from './queues.ts';

/** A message waiting in a dead-letter queue, as admins see it. */
export interface DeadLetter {
  readonly messageId: string;
  /** The CloudEvent when the body is JSON, else the body as text. */
  readonly body: unknown;
  /** Why it was dead-lettered at once (contract violations); absent when it failed N receives. */
  readonly reason: string | undefined;
  readonly sentAt: Date | undefined;
}

function parsedBody(message: Message): unknown {
  try {
    return JSON.parse(message.Body ?? '');
  } catch {
    return message.Body ?? '';
  }
}

/** The string attributes of a message, to send along unchanged. */
function stringAttributes(message: Message): Record<string, MessageAttributeValue> {
  return Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).filter(
      ([name, value]) => value.StringValue !== undefined && name !== REJECTION_REASON_ATTRIBUTE,
    ),
  );
}

/** Looks into dead-letter queues and moves their messages back (redrive). */
export class DeadLetters {
  readonly #sqs: SQSClient;

  constructor(sqs: SQSClient) {
    this.#sqs = sqs;
  }

  /** Approximately how many messages are in the DLQ (visible or not: a peek hides them briefly). */
  async depth(pair: QueuePair): Promise<number> {
    const { Attributes } = await this.#sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: pair.deadLetterUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  }

  /** Up to `limit` (≤ 10) dead letters, left in place (received with visibility 0). */
  async peek(pair: QueuePair, limit: number): Promise<DeadLetter[]> {
    const { Messages } = await this.#sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: pair.deadLetterUrl,
        MaxNumberOfMessages: Math.min(10, Math.max(1, limit)),
        WaitTimeSeconds: 0,
        VisibilityTimeout: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['SentTimestamp'],
      }),
    );
    return (Messages ?? []).map((message) => {
      const sent = Number(message.Attributes?.SentTimestamp);
      return {
        messageId: message.MessageId ?? '',
        body: parsedBody(message),
        reason: message.MessageAttributes?.[REJECTION_REASON_ATTRIBUTE]?.StringValue,
        sentAt: Number.isFinite(sent) && sent > 0 ? new Date(sent) : undefined,
      };
    });
  }

  /**
   * Moves up to `limit` messages from the DLQ back to their queue: each is sent first and
   * deleted from the DLQ after, so a failure in between leaves a copy in both, never in none.
   */
  async redrive(pair: QueuePair, limit: number): Promise<number> {
    let moved = 0;
    while (moved < limit) {
      const { Messages } = await this.#sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: pair.deadLetterUrl,
          MaxNumberOfMessages: Math.min(10, limit - moved),
          WaitTimeSeconds: 0,
          VisibilityTimeout: 60,
          MessageAttributeNames: ['All'],
        }),
      );
      if (Messages === undefined || Messages.length === 0) break;
      for (const message of Messages) {
        await this.#sqs.send(
          new SendMessageCommand({
            QueueUrl: pair.queueUrl,
            MessageBody: message.Body ?? '',
            MessageAttributes: stringAttributes(message),
          }),
        );
        await this.#sqs.send(
          new DeleteMessageCommand({
            QueueUrl: pair.deadLetterUrl,
            ReceiptHandle: message.ReceiptHandle,
          }),
        );
        moved += 1;
      }
    }
    return moved;
  }
}

import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';

/** A message read off a queue by a test. */
export interface ReadMessage {
  readonly body: string;
  readonly event: Record<string, unknown> | undefined;
  readonly attributes: Record<string, string | undefined>;
  readonly receiptHandle: string;
}

/**
 * Reads (and leaves invisible for `visibilitySec`) messages from a queue until `count` arrived
 * or `maxPolls` one-second long polls came back, whichever is first.
 */
export async function readQueue(
  sqs: SQSClient,
  queueUrl: string,
  count: number,
  options: { maxPolls?: number; visibilitySec?: number } = {},
): Promise<ReadMessage[]> {
  const messages: ReadMessage[] = [];
  for (let poll = 0; poll < (options.maxPolls ?? 20) && messages.length < count; poll += 1) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: options.visibilitySec ?? 60,
        MessageAttributeNames: ['All'],
      }),
    );
    for (const message of Messages ?? []) {
      let event: Record<string, unknown> | undefined;
      try {
        event = JSON.parse(message.Body ?? '') as Record<string, unknown>;
      } catch {
        event = undefined;
      }
      messages.push({
        body: message.Body ?? '',
        event,
        attributes: Object.fromEntries(
          Object.entries(message.MessageAttributes ?? {}).map(([key, value]) => [
            key,
            value.StringValue,
          ]),
        ),
        receiptHandle: message.ReceiptHandle ?? '',
      });
    }
  }
  return messages;
}

/** Polls `probe` until it returns a value (not undefined), at most `attempts` times. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  attempts = 50,
  pauseMs = 100,
): Promise<T> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  throw new Error(`gave up waiting for ${what}`);
}

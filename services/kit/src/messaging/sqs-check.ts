import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';

/** A /readyz check: resolves when the queue answers, throws when SQS or the queue is unreachable. */
export function sqsCheck(
  client: SQSClient,
  queueUrl: string,
  timeoutMs = 2_000,
): () => Promise<void> {
  return async () => {
    await client.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
      { abortSignal: AbortSignal.timeout(timeoutMs) },
    );
  };
}

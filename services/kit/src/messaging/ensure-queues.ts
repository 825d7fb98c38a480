import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';

/** A queue to provision, optionally with a dead-letter queue taking what fails too often. */
export interface QueueSpec {
  name: string;
  /** Messages received `maxReceiveCount` times without being deleted move to this queue. */
  dlq?: { name: string; maxReceiveCount: number };
  /** Seconds a received message stays invisible to other consumers. */
  visibilityTimeout?: number;
}

const QUEUE_NAME = /^[A-Za-z0-9_-]{1,75}(\.fifo)?$/;

/**
 * Creates the queues (and their DLQs, with a RedrivePolicy) if missing and brings their
 * attributes to the spec; safe to run at every start. Returns each queue's URL by name.
 */
export async function ensureQueues(
  client: SQSClient,
  specs: readonly QueueSpec[],
): Promise<Record<string, string>> {
  const urls: Record<string, string> = {};
  for (const spec of specs) {
    if (spec.dlq) {
      if (!Number.isInteger(spec.dlq.maxReceiveCount) || spec.dlq.maxReceiveCount < 1) {
        throw new TypeError(`ensureQueues: ${spec.name}: dlq.maxReceiveCount must be >= 1`);
      }
      urls[spec.dlq.name] ??= await createQueue(client, spec.dlq.name);
    }
    const url = await createQueue(client, spec.name);
    urls[spec.name] = url;

    const attributes: Record<string, string> = {};
    if (spec.visibilityTimeout !== undefined) {
      attributes['VisibilityTimeout'] = String(spec.visibilityTimeout);
    }
    if (spec.dlq) {
      const dlqUrl = urls[spec.dlq.name] as string;
      const { Attributes } = await client.send(
        new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
      );
      const arn = Attributes?.['QueueArn'];
      if (arn === undefined) throw new Error(`ensureQueues: no QueueArn for ${spec.dlq.name}`);
      attributes['RedrivePolicy'] = JSON.stringify({
        deadLetterTargetArn: arn,
        maxReceiveCount: spec.dlq.maxReceiveCount,
      });
    }
    // Set after creation: CreateQueue with attributes that differ from an existing queue's fails.
    if (Object.keys(attributes).length > 0) {
      await client.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
    }
  }
  return urls;
}

async function createQueue(client: SQSClient, name: string): Promise<string> {
  if (!QUEUE_NAME.test(name)) {
    throw new TypeError(
      `ensureQueues: "${name}" is not a valid queue name (A-Z a-z 0-9 _ -, up to 80)`,
    );
  }
  const fifo = name.endsWith('.fifo');
  const { QueueUrl } = await client.send(
    new CreateQueueCommand({
      QueueName: name,
      ...(fifo ? { Attributes: { FifoQueue: 'true' } } : {}),
    }),
  );
  if (QueueUrl === undefined)
    throw new Error(`ensureQueues: CreateQueue returned no URL for ${name}`);
  return QueueUrl;
}

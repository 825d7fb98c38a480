import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { createCloudEvent } from '@shoal/kit';
import type { CloudEvent } from '@shoal/kit';

/**
 * Reads CloudEvents from a queue until `count` arrived or `maxPolls` one-second long polls
 * came back, whichever is first. Messages are left invisible (read once).
 */
export async function readEvents(
  sqs: SQSClient,
  queueUrl: string,
  count: number,
  maxPolls = 20,
): Promise<CloudEvent[]> {
  const events: CloudEvent[] = [];
  for (let poll = 0; poll < maxPolls && events.length < count; poll += 1) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        VisibilityTimeout: 60,
      }),
    );
    for (const message of Messages ?? []) events.push(JSON.parse(message.Body ?? '') as CloudEvent);
  }
  return events;
}

/** Puts an `auth.user.registered` on a queue, as the event hub fans it out. */
export async function deliverRegistration(
  sqs: SQSClient,
  queueUrl: string,
  user: { id: string; email: string; name: string },
  options: { source?: string; id?: string } = {},
): Promise<CloudEvent> {
  const event = createCloudEvent({
    type: 'auth.user.registered',
    source: options.source ?? '/shoal/auth',
    subject: user.id,
    data: { id: user.id, email: user.email, name: user.name },
    ...(options.id === undefined ? {} : { id: options.id }),
  });
  await sqs.send(
    new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(event) }),
  );
  return event;
}

/** Polls `probe` until it returns a value (not undefined), at most `attempts` times. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  what: string,
  attempts = 100,
  pauseMs = 100,
): Promise<T> {
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  throw new Error(`gave up waiting for ${what}`);
}

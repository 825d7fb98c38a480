import assert from 'node:assert/strict';
import {
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import { ensureQueues } from '@shoal/kit';
import {
  eventually,
  NotificationTestbed,
  platformEvents,
} from './support/notification-under-test.ts';

describe('dead letters: an outage longer than the retry budget parks events, never drops them', () => {
  // The hub provisions notification-events with a DLQ after MAX_RECEIVE_COUNT receives; here 2.
  const testbed = new NotificationTestbed();
  const dlq = `${testbed.names.notificationQueue}-dlq`;
  let dlqUrl: string;

  before(async () => {
    const urls = await ensureQueues(testbed.sqs, [
      { name: testbed.names.notificationQueue, dlq: { name: dlq, maxReceiveCount: 2 } },
    ]);
    dlqUrl = urls[dlq] as string;
    await testbed.start();
  });
  after(async () => {
    await testbed.sqs.send(new DeleteQueueCommand({ QueueUrl: dlqUrl })).catch(() => undefined);
    await testbed.stop();
  });

  it('When the user service stays down past the retries, then the event waits in the DLQ, and a redrive delivers it once', async () => {
    const user = await testbed.newUser('Dora Deadletter');
    await testbed.users.stop();
    const event = platformEvents.profileUpdated(user);
    await testbed.deliver(event);
    await eventually(
      async () => {
        const { Attributes } = await testbed.sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: dlqUrl,
            AttributeNames: ['ApproximateNumberOfMessages'],
          }),
        );
        return Number(Attributes?.['ApproximateNumberOfMessages'] ?? 0) > 0 ? true : undefined;
      },
      'the event in the DLQ',
      300,
    );
    assert.equal(testbed.handled.get(event.id), undefined);
    assert.equal(testbed.smtp.to(user.email).length, 0);

    // The user service is back; an operator redrives (as the hub's /dead-letters/redrive does).
    await testbed.startUsers();
    const { Messages } = await testbed.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    assert.equal(Messages?.length, 1);
    const parked = Messages?.[0];
    await testbed.sqs.send(
      new SendMessageCommand({
        QueueUrl: await testbed.queueUrl(testbed.names.notificationQueue),
        MessageBody: parked?.Body ?? '',
      }),
    );
    await testbed.sqs.send(
      new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: parked?.ReceiptHandle ?? '' }),
    );
    await testbed.handledTimes(event, 1);
    assert.equal(testbed.smtp.to(user.email).length, 1);
  });
});

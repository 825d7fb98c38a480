import assert from 'node:assert/strict';
import type { CloudEvent } from '@shoal/kit';
import type { NotificationService } from '../src/app.ts';
import type { TestUser } from './support/auth-process.ts';
import { NotificationTestbed, platformEvents } from './support/notification-under-test.ts';

describe('replicas: two instances sharing the queue and the database still send each email once', () => {
  const testbed = new NotificationTestbed();
  let replica: NotificationService;

  before(async () => {
    await testbed.start();
    replica = await testbed.startReplica();
  });
  after(async () => {
    await replica?.stop();
    await testbed.stop();
  });

  it('When 15 events arrive three times each on two replicas, then there are exactly 15 emails and 15 inbox items', async () => {
    const users: TestUser[] = [];
    for (let index = 0; index < 3; index += 1)
      users.push(await testbed.newUser(`Rex Replica ${index}`));
    const events: CloudEvent[] = [];
    for (let index = 0; index < 15; index += 1) {
      const user = users[index % users.length] as TestUser;
      events.push(
        index % 2 === 0 ? platformEvents.profileUpdated(user) : platformEvents.integration(user),
      );
    }
    await Promise.all(events.map((event) => testbed.deliver(event, 3)));
    for (const event of events) await testbed.handledTimes(event, 3);

    const mails = users.flatMap((user) => testbed.smtp.to(user.email));
    assert.equal(mails.length, 15);
    assert.equal(new Set(mails.map((mail) => mail.messageId)).size, 15);
    let items = 0;
    for (const user of users) {
      const response = await testbed.api.get('/api/notifications?limit=100', { token: user.token });
      items += (response.body['items'] as unknown[]).length;
    }
    assert.equal(items, 15);
    // Both replicas took part (each handled some of the 45 copies).
    assert.ok((replica.consumer?.stats.processed ?? 0) > 0);
    assert.ok((testbed.notifications.consumer?.stats.processed ?? 0) > 0);
  });
});

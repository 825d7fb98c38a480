import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CreateQueueCommand, DeleteQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { createCloudEvent, SqsPublisher } from '@shoal/kit';
import type { CloudEvent } from '@shoal/kit';
import { createTestEnvironment, startEvent } from './support/event-under-test.ts';
import type { EventUnderTest, TestEnvironment } from './support/event-under-test.ts';
import { eventually, readQueue } from './support/queue-reader.ts';

function registered(id = randomUUID()): CloudEvent {
  return createCloudEvent({
    type: 'auth.user.registered',
    source: '/shoal/auth',
    subject: id,
    data: { id, email: `${id.slice(0, 8)}@example.com`, name: 'Ada' },
  });
}

describe('fan-out: the ingest queue to the subscriber queues', () => {
  let environment: TestEnvironment;
  let service: EventUnderTest;
  let publisher: SqsPublisher;
  let urls: Record<'ingest' | 'ingestDlq' | 'user' | 'notification' | 'reporting', string>;

  before(async () => {
    environment = await createTestEnvironment();
    service = await startEvent(environment);
    publisher = new SqsPublisher({ client: environment.sqs });
    const { queues } = environment;
    urls = {
      ingest: await environment.queueUrl(queues.ingest),
      ingestDlq: await environment.queueUrl(`${queues.ingest}-dlq`),
      user: await environment.queueUrl(queues.user),
      notification: await environment.queueUrl(queues.notification),
      reporting: await environment.queueUrl(queues.reporting),
    };
  });
  after(async () => {
    await service?.stop();
    await environment?.dispose();
  });

  const storedEvent = (id: string) =>
    eventually(async () => {
      const response = await service.api.get(`/api/events/${encodeURIComponent(id)}`, {
        token: service.adminToken,
      });
      return response.status === 200 &&
        (response.body['delivered'] as string[]).length ===
          (response.body['subscribers'] as string[]).length
        ? response.body
        : undefined;
    }, `event ${id} stored and fanned out`);

  it('When a valid event arrives, then it is stored and each subscriber that wants its type gets one copy', async () => {
    const event = registered();
    await publisher.publish(urls.ingest, event);

    const stored = await storedEvent(event.id);
    assert.deepEqual(stored['event'], event);
    assert.deepEqual([...(stored['subscribers'] as string[])].sort(), [
      'notification-events',
      'reporting-events',
      'user-events',
    ]);
    for (const queue of [urls.user, urls.notification, urls.reporting]) {
      const copies = await readQueue(environment.sqs, queue, 1);
      assert.deepEqual(
        copies.map((copy) => copy.event),
        [event],
      );
      assert.equal(copies[0]?.attributes['ce-type'], 'auth.user.registered');
    }
  });

  it('When an event type only some subscriptions want arrives, then only those get it', async () => {
    const id = randomUUID();
    const loggedIn = createCloudEvent({
      type: 'auth.user.logged_in',
      source: '/shoal/auth',
      subject: id,
      data: { id },
    });
    await publisher.publish(urls.ingest, loggedIn);
    await storedEvent(loggedIn.id);
    assert.deepEqual(
      (await readQueue(environment.sqs, urls.reporting, 1)).map((m) => m.event?.['id']),
      [loggedIn.id],
    );
    assert.deepEqual(await readQueue(environment.sqs, urls.user, 1, { maxPolls: 2 }), []);
    assert.deepEqual(await readQueue(environment.sqs, urls.notification, 1, { maxPolls: 2 }), []);
  });

  it('When the same event is published twice, then it is stored once and fanned out once per subscriber', async () => {
    const event = registered();
    // Together, so both copies may be handled concurrently, and once more after.
    await publisher.publishBatch(urls.ingest, [event, event]);
    await storedEvent(event.id);
    await publisher.publish(urls.ingest, event);

    for (const queue of [urls.user, urls.notification, urls.reporting]) {
      const copies = await readQueue(environment.sqs, queue, 2, { maxPolls: 3 });
      assert.deepEqual(
        copies.map((copy) => copy.event?.['id']),
        [event.id],
      );
    }
    const listed = await service.api.get(`/api/events?subject=${event.subject ?? ''}`, {
      token: service.adminToken,
    });
    assert.equal((listed.body['items'] as unknown[]).length, 1);
    await eventually(async () => (await service.events.hub.has(event.id)) || undefined, 'stored');
  });

  it('When an event breaks its contract, then it goes to the dead-letter queue with the reason and is never fanned out', async () => {
    const id = randomUUID();
    const broken = createCloudEvent({
      type: 'auth.user.registered',
      source: '/shoal/auth',
      subject: id,
      data: { id, email: 'not an email' },
    });
    const unknown = createCloudEvent({ type: 'auth.user.teleported', source: '/x', data: {} });
    await publisher.publishBatch(urls.ingest, [broken, unknown]);

    const dead = await readQueue(environment.sqs, urls.ingestDlq, 2);
    const reasons = new Map(
      dead.map((message) => [message.event?.['id'], message.attributes['shoal-rejection-reason']]),
    );
    assert.match(
      String(reasons.get(broken.id)),
      /data breaks the auth\.user\.registered contract.*name/,
    );
    assert.match(String(reasons.get(broken.id)), /email/);
    assert.match(
      String(reasons.get(unknown.id)),
      /no contract for event type "auth\.user\.teleported"/,
    );
    for (const event of [broken, unknown]) {
      const response = await service.api.get(`/api/events/${event.id}`, {
        token: service.adminToken,
      });
      assert.equal(response.status, 404);
    }
    assert.deepEqual(await readQueue(environment.sqs, urls.reporting, 1, { maxPolls: 2 }), []);
  });

  it('When a message on the ingest queue keeps failing, then it reaches the dead-letter queue after N receives', async () => {
    const poison = `not a CloudEvent ${randomUUID()}`;
    await environment.sqs.send(
      new SendMessageCommand({ QueueUrl: urls.ingest, MessageBody: poison }),
    );
    const deadLetters = () =>
      service.api.get(`/api/events/dead-letters?subscription=${environment.queues.ingest}`, {
        token: service.adminToken,
      });
    const page = await eventually(async () => {
      const response = await deadLetters();
      const items = response.body['items'] as Array<Record<string, unknown>>;
      return items.some((item) => item['body'] === poison) ? response.body : undefined;
    }, 'the poison message in the DLQ');
    assert.equal(page['queue'], `${environment.queues.ingest}-dlq`);
    assert.ok(Number(page['approximate_depth']) >= 1);
  });

  it("When a subscriber keeps failing a message, then it reaches that subscription's DLQ after N receives, and redrive brings it back", async () => {
    const event = registered();
    await environment.sqs.send(
      new SendMessageCommand({ QueueUrl: urls.user, MessageBody: JSON.stringify(event) }),
    );
    // A subscriber that fails: receives the message and never deletes it (MAX_RECEIVE_COUNT=2).
    for (let receive = 1; receive <= 2; receive += 1) {
      const got = await readQueue(environment.sqs, urls.user, 1, { visibilitySec: 1 });
      assert.equal(got[0]?.event?.['id'], event.id, `receive ${receive}`);
    }
    const listDeadLetters = () =>
      service.api.get('/api/events/dead-letters?subscription=user-events', {
        token: service.adminToken,
      });
    const page = await eventually(async () => {
      // A receive past the count is what makes SQS move the message.
      await readQueue(environment.sqs, urls.user, 1, { maxPolls: 1, visibilitySec: 1 });
      const response = await listDeadLetters();
      return (response.body['items'] as unknown[]).length > 0 ? response.body : undefined;
    }, 'the message in user-events-dlq');
    const [item] = page['items'] as Array<Record<string, unknown>>;
    assert.deepEqual(item?.['body'], event);

    const redrive = await service.api.post(
      '/api/events/dead-letters/redrive',
      { subscription: 'user-events' },
      { token: service.adminToken },
    );
    assert.deepEqual(redrive.body, {
      subscription: 'user-events',
      queue: environment.queues.user,
      moved: 1,
    });
    const back = await readQueue(environment.sqs, urls.user, 1);
    assert.deepEqual(
      back.map((message) => message.event),
      [event],
    );
    assert.deepEqual((await listDeadLetters()).body['items'], []);
  });

  it('When dead letters are asked for an unknown subscription, then the answer is a 400 problem', async () => {
    const response = await service.api.get('/api/events/dead-letters?subscription=nope', {
      token: service.adminToken,
    });
    assert.equal(response.status, 400);
    assert.equal(response.body['type'], 'https://shoal.dev/problems/unknown-subscription');
  });

  // Last: it deletes and recreates a subscriber queue.
  it('When a subscriber queue refuses an event, then the others get it once, and a redrive after the repair completes the fan-out', async () => {
    await environment.sqs.send(new DeleteQueueCommand({ QueueUrl: urls.notification }));
    const event = registered();
    await publisher.publish(urls.ingest, event);

    // Stored and sent where it could be; the failed attempts end in the ingest DLQ.
    const partial = await eventually(async () => {
      const stored = await service.events.hub.get(event.id).catch(() => undefined);
      return stored !== undefined && stored.delivered.length === 2 ? stored : undefined;
    }, 'the partial fan-out');
    assert.deepEqual([...partial.delivered].sort(), ['reporting-events', 'user-events']);
    await eventually(async () => {
      const response = await service.api.get(
        `/api/events/dead-letters?subscription=${environment.queues.ingest}`,
        { token: service.adminToken },
      );
      const items = response.body['items'] as Array<{ body: { id?: string } }>;
      return items.some((item) => item.body.id === event.id) ? true : undefined;
    }, 'the failed event in the ingest DLQ');

    await environment.sqs.send(
      new CreateQueueCommand({ QueueName: environment.queues.notification }),
    );
    const redrive = await service.api.post(
      '/api/events/dead-letters/redrive',
      { subscription: environment.queues.ingest },
      { token: service.adminToken },
    );
    assert.ok(Number(redrive.body['moved']) >= 1);
    const complete = await eventually(async () => {
      const stored = await service.events.hub.get(event.id);
      return stored.delivered.length === 3 ? stored : undefined;
    }, 'the completed fan-out');
    assert.equal(complete.fanoutLeaseUntil, undefined);
    assert.deepEqual(
      (await readQueue(environment.sqs, urls.notification, 1)).map((m) => m.event?.['id']),
      [event.id],
    );
    for (const queue of [urls.user, urls.reporting]) {
      const copies = await readQueue(environment.sqs, queue, 2, { maxPolls: 3 });
      assert.deepEqual(
        copies.map((m) => m.event?.['id']),
        [event.id],
      );
    }
  });
});

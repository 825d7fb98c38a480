import assert from 'node:assert/strict';
import { loadDepsEnv, uniqueName } from '@shoal/testbed';
import { MongoClient } from 'mongodb';
import type { Collection, Document } from 'mongodb';
import { createCloudEvent } from '../../src/messaging/cloud-event.ts';
import type { CloudEvent } from '../../src/messaging/cloud-event.ts';
import { ensureQueues } from '../../src/messaging/ensure-queues.ts';
import { SqsPublisher } from '../../src/messaging/sqs-publisher.ts';
import { outboxUpdate, withOutbox } from '../../src/outbox/mongo-outbox.ts';
import { MongoOutboxRelay } from '../../src/outbox/mongo-outbox-relay.ts';
import type { MongoOutboxRelayOptions } from '../../src/outbox/mongo-outbox-relay.ts';
import { queueUrlResolver } from '../../src/outbox/queue-url-resolver.ts';
import { sqsClient, waitFor } from '../messaging/sqs-testbed.ts';
import { startTcpProxy } from '../messaging/tcp-proxy.ts';
import { drainIds, duplicates } from './queue-drain.ts';

function event(n: number): CloudEvent {
  return createCloudEvent({ type: 'io.shoal.test.v1', source: '/kit/outbox', data: { n } });
}

describe('outbox: helpers for the MongoDB outbox', () => {
  it('When outboxUpdate merges events, then the caller’s $set and $push are kept and events pushed', () => {
    const e = event(1);
    const update = outboxUpdate({ $set: { name: 'ann' }, $push: { tags: 'x' } }, [
      { queue: 'q', event: e },
    ]);
    assert.deepEqual(update.$set, { name: 'ann' });
    const push = update.$push as Record<string, unknown>;
    assert.equal(push['tags'], 'x');
    const each = (push['_outbox'] as { $each: Array<Record<string, unknown>> }).$each;
    assert.equal(each.length, 1);
    assert.equal(each[0]?.['id'], e.id);
    assert.equal(each[0]?.['queue'], 'q');
    assert.ok(each[0]?.['enqueuedAt'] instanceof Date);
  });

  it('When outboxUpdate or withOutbox meet a clash or bad events, then they refuse', () => {
    assert.throws(
      () => outboxUpdate({ $push: { _outbox: 1 } } as never, [{ queue: 'q', event: event(1) }]),
      /already pushes/,
    );
    assert.throws(() => outboxUpdate([{ $set: { a: 1 } }] as never, []), /pipeline/);
    assert.throws(() => outboxUpdate({}, [{ queue: '', event: event(1) }]), /needs a queue/);
    assert.throws(() => withOutbox({ _outbox: [] }, []), /already has an _outbox/);
    assert.throws(
      () => withOutbox({}, [{ queue: 'q', event: { ...event(1), id: '' } }]),
      /needs an id/,
    );
    const same = { $set: { a: 1 } };
    assert.equal(outboxUpdate(same, []), same);
  });
});

describe('outbox: MongoOutboxRelay against FerretDB and ElasticMQ', function () {
  this.timeout(60_000);
  const { MONGO_URL } = loadDepsEnv();
  const mongo = new MongoClient(MONGO_URL);
  const db = mongo.db(uniqueName('kit_outbox', '_'));
  const sqs = sqsClient();
  const publisher = new SqsPublisher({ client: sqs, batchRetryDelayMs: 10 });
  const relays: MongoOutboxRelay[] = [];

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
  });

  after(async () => {
    await db.dropDatabase();
    await mongo.close();
    sqs.destroy();
  });

  async function fixture() {
    const collection = db.collection(uniqueName('users'));
    const queue = uniqueName('outbox');
    const urls = await ensureQueues(sqs, [{ name: queue }]);
    return { collection, queue, queueUrl: urls[queue] as string };
  }

  function relay(collection: Collection<Document>, options: Partial<MongoOutboxRelayOptions> = {}) {
    const r = new MongoOutboxRelay({
      collection,
      publisher,
      resolveQueueUrl: queueUrlResolver(sqs),
      pollIntervalMs: 50,
      ...options,
    });
    relays.push(r);
    r.start();
    return r;
  }

  it('When a change and its events are written in one update, then the relay publishes them and empties _outbox', async () => {
    const { collection, queue, queueUrl } = await fixture();
    const created = event(1);
    const renamed = event(2);
    const { insertedId } = await collection.insertOne(
      withOutbox({ name: 'ann' }, [{ queue, event: created }]),
    );
    await collection.updateOne(
      { _id: insertedId },
      outboxUpdate<Document>({ $set: { name: 'anne' } }, [{ queue, event: renamed }]),
    );

    const r = relay(collection);
    const arrivals = await drainIds(sqs, queueUrl, new Set([created.id, renamed.id]));
    assert.deepEqual([...arrivals.keys()].sort(), [created.id, renamed.id].sort());
    await waitFor(() => r.stats.published === 2);
    const doc = await collection.findOne({ _id: insertedId });
    assert.equal(doc?.['name'], 'anne');
    assert.deepEqual(doc?.['_outbox'], []);
    assert.equal(doc?.['_outboxLease'], undefined);
  });

  it('When two relays share the collection, then every one of 200 events is published (duplicates counted)', async () => {
    const { collection, queue, queueUrl } = await fixture();
    const sent: CloudEvent[] = [];
    for (let d = 0; d < 50; d++) {
      const first = [event(d * 4), event(d * 4 + 1)];
      const then = [event(d * 4 + 2), event(d * 4 + 3)];
      sent.push(...first, ...then);
      const { insertedId } = await collection.insertOne(
        withOutbox(
          { n: d },
          first.map((e) => ({ queue, event: e })),
        ),
      );
      await collection.updateOne(
        { _id: insertedId },
        outboxUpdate(
          { $inc: { version: 1 } },
          then.map((e) => ({ queue, event: e })),
        ),
      );
    }
    const a = relay(collection, { owner: 'relay-a' });
    const b = relay(collection, { owner: 'relay-b' });
    const arrivals = await drainIds(sqs, queueUrl, new Set(sent.map((e) => e.id)), 45_000);
    const missing = sent.filter((e) => !arrivals.has(e.id));
    assert.deepEqual(missing, [], `${missing.length} events lost`);
    console.log(
      `      [mongo outbox] 200 events, ${duplicates(arrivals)} duplicates; relay A published ${a.stats.published}, relay B ${b.stats.published}; claims ${a.stats.claims}+${b.stats.claims}, lost ${a.stats.lostClaims}+${b.stats.lostClaims}`,
    );
    assert.equal(await collection.countDocuments({ '_outbox.0': { $exists: true } }), 0);
  });

  it('When one event is bound for two queues and one queue is missing, then only its copy stays pending until the queue exists', async () => {
    const { collection, queue, queueUrl } = await fixture();
    const missing = uniqueName('outbox-late');
    const both = event(1);
    const { insertedId } = await collection.insertOne(
      withOutbox({ n: 1 }, [
        { queue, event: both },
        { queue: missing, event: both },
      ]),
    );
    const r = relay(collection, { retryBaseDelayMs: 50, retryMaxDelayMs: 200 });
    const first = await drainIds(sqs, queueUrl, new Set([both.id]));
    assert.deepEqual([...first.keys()], [both.id]);
    await waitFor(() => r.stats.failed >= 1, 20_000, 'a failed round for the missing queue');
    const pending = await collection.findOne({ _id: insertedId });
    assert.deepEqual(
      (pending?.['_outbox'] as Array<{ queue: string }>).map((entry) => entry.queue),
      [missing],
    );

    const lateUrl = (await ensureQueues(sqs, [{ name: missing }]))[missing] as string;
    const late = await drainIds(sqs, lateUrl, new Set([both.id]));
    assert.deepEqual([...late.keys()], [both.id]);
    await waitFor(() => r.stats.published >= 2, 20_000, 'both copies recorded as published');
    const done = await collection.findOne({ _id: insertedId });
    assert.deepEqual(done?.['_outbox'], []);
  });

  it('When SQS is unreachable, then events stay in their documents and go out once it is back', async () => {
    const { collection, queue, queueUrl } = await fixture();
    const proxy = await startTcpProxy(new URL(queueUrl).origin);
    const proxied = sqsClient(`http://127.0.0.1:${proxy.port}`);
    try {
      await proxy.down();
      const sent = [event(1), event(2)];
      const { insertedId } = await collection.insertOne(
        withOutbox(
          { n: 1 },
          sent.map((e) => ({ queue, event: e })),
        ),
      );
      const r = relay(collection, {
        publisher: new SqsPublisher({ client: proxied, batchRetries: 0 }),
        resolveQueueUrl: queueUrlResolver(proxied),
        retryBaseDelayMs: 50,
        retryMaxDelayMs: 200,
      });
      await waitFor(() => r.stats.failed >= 4, 20_000, 'two failed rounds');
      const pending = await collection.findOne({ _id: insertedId });
      assert.equal((pending?.['_outbox'] as unknown[]).length, 2);
      assert.ok((pending?.['_outboxAttempts'] as number) >= 2);

      await proxy.up();
      const arrivals = await drainIds(sqs, queueUrl, new Set(sent.map((e) => e.id)));
      assert.deepEqual([...arrivals.keys()].sort(), sent.map((e) => e.id).sort());
      await waitFor(() => r.stats.published === 2);
      const done = await collection.findOne({ _id: insertedId });
      assert.deepEqual(done?.['_outbox'], []);
      assert.equal(done?.['_outboxAttempts'], undefined);
    } finally {
      await proxy.close();
      proxied.destroy();
    }
  });

  it('When another relay holds a live lease, then the document is left alone until the lease expires', async () => {
    const { collection, queue, queueUrl } = await fixture();
    const held = event(1);
    const orphaned = event(2);
    const live = new Date(Date.now() + 600_000);
    const expired = new Date(Date.now() - 1_000);
    const { insertedId: heldId } = await collection.insertOne({
      ...withOutbox({ n: 1 }, [{ queue, event: held }]),
      _outboxLease: { owner: 'other', until: live },
    });
    await collection.insertOne({
      ...withOutbox({ n: 2 }, [{ queue, event: orphaned }]),
      _outboxLease: { owner: 'crashed', until: expired },
    });
    const r = relay(collection);
    const arrivals = await drainIds(sqs, queueUrl, new Set([orphaned.id]));
    assert.deepEqual([...arrivals.keys()], [orphaned.id], 'only the expired lease is taken over');
    assert.equal(r.stats.published, 1);
    const stillHeld = await collection.findOne({ _id: heldId });
    assert.equal((stillHeld?.['_outbox'] as unknown[]).length, 1);
    assert.equal((stillHeld?.['_outboxLease'] as { owner: string }).owner, 'other');
  });

  it('When leaseMs is not positive, then the relay refuses to start', () => {
    assert.throws(
      () =>
        new MongoOutboxRelay({
          collection: db.collection('x'),
          publisher,
          resolveQueueUrl: queueUrlResolver(sqs),
          leaseMs: 0,
        }),
      /leaseMs/,
    );
  });
});

import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { context, trace } from '@opentelemetry/api';
import { createCloudEvent } from '../../src/messaging/cloud-event.ts';
import type { CloudEvent } from '../../src/messaging/cloud-event.ts';
import { DeleteBatcher } from '../../src/messaging/delete-batcher.ts';
import { ensureQueues } from '../../src/messaging/ensure-queues.ts';
import { sqsCheck } from '../../src/messaging/sqs-check.ts';
import { SqsConsumer } from '../../src/messaging/sqs-consumer.ts';
import type { ReceivedMessage, SqsConsumerOptions } from '../../src/messaging/sqs-consumer.ts';
import { PublishBatchError, SqsPublisher } from '../../src/messaging/sqs-publisher.ts';
import { installTracePropagation, parentContext, TRACE_ID } from '../http-client/trace-context.ts';
import { queueNameFor, sqsClient, waitFor } from './sqs-testbed.ts';
import { startTcpProxy } from './tcp-proxy.ts';

function event(n: number): CloudEvent<{ n: number }> {
  return createCloudEvent({
    type: 'io.shoal.test.v1',
    source: '/kit/test',
    subject: `s${n}`,
    data: { n },
  });
}

describe('messaging: SqsPublisher and SqsConsumer against ElasticMQ', function () {
  this.timeout(60_000);
  let client: SQSClient;
  let publisher: SqsPublisher;
  const consumers: SqsConsumer[] = [];

  before(() => {
    client = sqsClient();
    publisher = new SqsPublisher({ client, batchRetryDelayMs: 10 });
  });

  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
  });

  after(() => client.destroy());

  async function queue(prefix: string, dlqMaxReceives?: number, visibilityTimeout?: number) {
    const name = queueNameFor(prefix);
    const urls = await ensureQueues(client, [
      {
        name,
        visibilityTimeout,
        ...(dlqMaxReceives === undefined
          ? {}
          : { dlq: { name: `${name}-dlq`, maxReceiveCount: dlqMaxReceives } }),
      },
    ]);
    return { url: urls[name] as string, dlqUrl: urls[`${name}-dlq`] };
  }

  function consume(
    queueUrl: string,
    handler: SqsConsumerOptions['handler'],
    options: Partial<SqsConsumerOptions> = {},
  ) {
    const consumer = new SqsConsumer({ client, queueUrl, handler, waitTimeSeconds: 1, ...options });
    consumers.push(consumer);
    consumer.start();
    return consumer;
  }

  async function messageCount(queueUrl: string): Promise<number> {
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes?.['ApproximateNumberOfMessages']) +
      Number(Attributes?.['ApproximateNumberOfMessagesNotVisible'])
    );
  }

  it('When ensureQueues runs twice, then it returns the same URLs and sets the RedrivePolicy', async () => {
    const name = queueNameFor('ensure');
    const spec = [
      { name, dlq: { name: `${name}-dlq`, maxReceiveCount: 3 }, visibilityTimeout: 45 },
    ];
    const first = await ensureQueues(client, spec);
    const second = await ensureQueues(client, spec);
    assert.deepEqual(second, first);
    assert.deepEqual(Object.keys(first).sort(), [name, `${name}-dlq`].sort());
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: first[name], AttributeNames: ['All'] }),
    );
    assert.equal(Attributes?.['VisibilityTimeout'], '45');
    const redrive = JSON.parse(Attributes?.['RedrivePolicy'] ?? '{}') as Record<string, unknown>;
    assert.equal(redrive['maxReceiveCount'], 3);
    assert.match(String(redrive['deadLetterTargetArn']), new RegExp(`${name}-dlq$`));
  });

  it('When ensureQueues gets a bad name or receive count, then it refuses before calling SQS', async () => {
    await assert.rejects(ensureQueues(client, [{ name: 'bad name' }]), /not a valid queue name/);
    await assert.rejects(
      ensureQueues(client, [{ name: 'ok', dlq: { name: 'ok-dlq', maxReceiveCount: 0 } }]),
      /maxReceiveCount/,
    );
  });

  it('When an event is published inside a trace, then the consumer gets it with ce-type and runs the handler in that trace', async () => {
    const { url } = await queue('roundtrip');
    const uninstall = installTracePropagation();
    try {
      const sent = event(1);
      await context.with(parentContext(), () => publisher.publish(url, sent));
      const got: Array<{
        event: CloudEvent;
        message: ReceivedMessage;
        traceId: string | undefined;
      }> = [];
      consume(url, (e, message) => {
        got.push({ event: e, message, traceId: trace.getActiveSpan()?.spanContext().traceId });
        return Promise.resolve();
      });
      await waitFor(() => got.length === 1, 10_000, 'the event');
      assert.deepEqual(got[0]?.event, sent);
      assert.equal(got[0]?.message.receiveCount, 1);
      assert.equal(got[0]?.message.attributes['ce-type'], 'io.shoal.test.v1');
      assert.match(got[0]?.message.attributes['traceparent'] ?? '', new RegExp(`^00-${TRACE_ID}-`));
      assert.equal(got[0]?.traceId, TRACE_ID);
      await waitFor(() => consumers[0]!.stats.processed === 1);
      assert.equal(await messageCount(url), 0, 'a handled message is deleted');
    } finally {
      uninstall();
    }
  });

  it('When an event made inside a trace is published later outside it (an outbox relay), then the consumer still runs in its trace', async () => {
    const { url } = await queue('later');
    const uninstall = installTracePropagation();
    try {
      const made = context.with(parentContext(), () => event(2));
      assert.match(made.traceparent ?? '', new RegExp(`^00-${TRACE_ID}-`));
      await publisher.publish(url, made); // no span active: as the relay publishes
      const traceIds: Array<string | undefined> = [];
      consume(url, () => {
        traceIds.push(trace.getActiveSpan()?.spanContext().traceId);
        return Promise.resolve();
      });
      await waitFor(() => traceIds.length === 1, 10_000, 'the event');
      assert.deepEqual(traceIds, [TRACE_ID]);
    } finally {
      uninstall();
    }
  });

  it('When the handler fails, then the message is not deleted and comes back', async () => {
    const { url } = await queue('redeliver');
    await publisher.publish(url, event(1));
    const counts: number[] = [];
    const consumer = consume(
      url,
      (_e, message) => {
        counts.push(message.receiveCount);
        return message.receiveCount === 1
          ? Promise.reject(new Error('transient'))
          : Promise.resolve();
      },
      { retryDelaySec: () => 0, visibilityTimeoutSec: 5 },
    );
    await waitFor(() => consumer.stats.processed === 1, 15_000, 'the redelivery');
    assert.deepEqual(counts, [1, 2]);
    assert.equal(consumer.stats.failed, 1);
  });

  it('When a message keeps failing, then after maxReceiveCount receives it is in the DLQ', async () => {
    const { url, dlqUrl } = await queue('dlq', 2);
    const sent = event(7);
    await publisher.publish(url, sent);
    // A poison body too: not a CloudEvent at all.
    await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'not json' }));
    const consumer = consume(url, () => Promise.reject(new Error('always fails')), {
      retryDelaySec: () => 0,
    });
    const dead: string[] = [];
    await waitFor(() => consumer.stats.failed >= 4, 20_000, 'two failed receives of each');
    for (let i = 0; i < 20 && dead.length < 2; i++) {
      const { Messages } = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: dlqUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
        }),
      );
      dead.push(...(Messages ?? []).map((m) => m.Body ?? ''));
    }
    assert.equal(dead.length, 2);
    assert.ok(dead.includes('not json'));
    assert.ok(dead.some((body) => body.includes(sent.id)));
    assert.equal(consumer.stats.processed, 0);
  });

  it('When a handler outlives the visibility timeout, then heartbeats keep the message from being redelivered', async () => {
    const { url } = await queue('heartbeat');
    await publisher.publish(url, event(1));
    const deliveries: string[] = [];
    const slow = async (_e: CloudEvent, message: ReceivedMessage) => {
      deliveries.push(message.messageId);
      await new Promise((resolve) => setTimeout(resolve, 3_500));
    };
    // Two competing consumers; without heartbeats the other would get it after 1 s.
    const a = consume(url, slow, { visibilityTimeoutSec: 1, heartbeatIntervalSec: 0.3 });
    const b = consume(url, slow, { visibilityTimeoutSec: 1, heartbeatIntervalSec: 0.3 });
    await waitFor(() => a.stats.processed + b.stats.processed === 1, 15_000, 'the slow handler');
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // room for a wrongful redelivery
    assert.equal(deliveries.length, 1);
    assert.equal(await messageCount(url), 0);
  });

  it('When stop() is called while a handler runs, then it waits for it and the message is deleted, not lost', async () => {
    const { url } = await queue('stop');
    await publisher.publish(url, event(1));
    let started = false;
    let finished = false;
    const consumer = consume(url, async () => {
      started = true;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      finished = true;
    });
    await waitFor(() => started, 10_000, 'the handler to start');
    await consumer.stop();
    assert.equal(finished, true, 'stop() resolved before the in-flight handler finished');
    assert.equal(consumer.stats.processed, 1);
    assert.equal(await messageCount(url), 0);
  });

  it('When stop() outlasts its bound, then it resolves and leaves the message for redelivery', async () => {
    const { url } = await queue('stopbound');
    await publisher.publish(url, event(1));
    let release: () => void = () => undefined;
    let started = false;
    const consumer = consume(
      url,
      () => {
        started = true;
        return new Promise<void>((resolve) => (release = resolve));
      },
      { stopTimeoutMs: 100, visibilityTimeoutSec: 2 },
    );
    await waitFor(() => started, 10_000, 'the handler to start');
    await consumer.stop();
    assert.equal(consumer.stats.processed, 0);
    assert.equal(await messageCount(url), 1, 'the message is still on the queue');
    release();
    await waitFor(() => consumer.stats.processed === 1);
  });

  it('When 25 events are published as a batch, then all 25 arrive', async () => {
    const { url } = await queue('batch');
    const sent = Array.from({ length: 25 }, (_, i) => event(i));
    await publisher.publishBatch(url, sent);
    const ids = new Set<string>();
    consume(
      url,
      (e) => {
        ids.add(e.id);
        return Promise.resolve();
      },
      { concurrency: 20 },
    );
    await waitFor(() => ids.size === 25, 15_000, 'all 25 events');
    assert.deepEqual([...ids].sort(), sent.map((e) => e.id).sort());
    await publisher.publishBatch(url, []); // nothing to do, nothing sent
  });

  it('When many handlers finish together, then their messages are deleted in batches and none comes back', async () => {
    const { url } = await queue('deletes', undefined, 2);
    await publisher.publishBatch(
      url,
      Array.from({ length: 30 }, (_, i) => event(i)),
    );
    const deleteRequests: string[] = [];
    const counting = sqsClient();
    counting.middlewareStack.add(
      (next, context) => (args) => {
        if (/DeleteMessage/.test(String(context.commandName))) {
          deleteRequests.push(String(context.commandName));
        }
        return next(args);
      },
      { step: 'initialize', name: 'countDeletes' },
    );
    const handled: number[] = [];
    let releaseAll: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (releaseAll = resolve));
    const consumer = new SqsConsumer<{ n: number }>({
      client: counting,
      queueUrl: url,
      waitTimeSeconds: 1,
      concurrency: 30,
      handler: async (e) => {
        await gate; // every handler finishes in the same turn, so deletes can share requests
        handled.push(e.data.n);
      },
    });
    consumers.push(consumer as SqsConsumer);
    consumer.start();
    await waitFor(() => consumer.stats.inFlight === 30, 15_000, '30 handlers in flight');
    releaseAll();
    await waitFor(() => consumer.stats.processed === 30, 15_000, '30 deletes');
    assert.ok(
      deleteRequests.every((name) => name === 'DeleteMessageBatchCommand'),
      `single deletes sent: ${deleteRequests.join(', ')}`,
    );
    assert.ok(
      deleteRequests.length <= 6,
      `${deleteRequests.length} delete requests for 30 messages`,
    );
    await new Promise((resolve) => setTimeout(resolve, 2_500)); // past the visibility timeout
    assert.equal(await messageCount(url), 0, 'a deleted message came back');
    assert.equal(handled.length, 30);
    counting.destroy();
  });

  it('When SQS refuses a delete in a batch, then that message is left for redelivery and the others are deleted', async () => {
    const { url } = await queue('deletefail');
    const batcher = new DeleteBatcher(client, url);
    await publisher.publishBatch(url, [event(1), event(2)]);
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 2, WaitTimeSeconds: 1 }),
    );
    assert.equal(Messages.length, 2);
    const results = await Promise.allSettled([
      batcher.delete(Messages[0]?.ReceiptHandle as string),
      batcher.delete('not-a-receipt-handle'),
      batcher.delete(Messages[1]?.ReceiptHandle as string),
    ]);
    assert.deepEqual(
      results.map((result) => result.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.equal(await messageCount(url), 0);
  });

  it('When a batch cannot be published, then PublishBatchError lists every event that did not go out', async () => {
    const { url } = await queue('gone');
    const missing = `${url}-does-not-exist`;
    const sent = Array.from({ length: 12 }, (_, i) => event(i));
    const error = await publisher.publishBatch(missing, sent).then(
      () => assert.fail('expected a PublishBatchError'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof PublishBatchError);
    assert.deepEqual(error.failed.map((f) => f.id).sort(), sent.map((e) => e.id).sort());
    assert.deepEqual(error.publishedIds, []);
    await assert.rejects(publisher.publish(missing, event(1)));
  });

  it('When SQS refuses some entries of a batch, then the others are published and the error names exactly the refused ones', async () => {
    const { url } = await queue('partial');
    const small = [event(1), event(2), event(3)];
    const huge = createCloudEvent({ type: 't', source: 's', data: 'x'.repeat(1100 * 1024) });
    const error = await publisher.publishBatch(url, [small[0]!, huge, small[1]!, small[2]!]).then(
      () => assert.fail('expected a PublishBatchError'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof PublishBatchError, String(error));
    assert.deepEqual(
      error.failed.map((f) => f.id),
      [huge.id],
    );
    assert.deepEqual([...error.publishedIds].sort(), small.map((e) => e.id).sort());
    assert.equal(await messageCount(url), 3);
  });

  it('When events are large, then batches are cut under the size limit and all of them arrive', async () => {
    const { url } = await queue('large');
    const big = Array.from({ length: 12 }, (_, i) =>
      createCloudEvent({ type: 't', source: 's', data: `${i % 10}`.repeat(110 * 1024) }),
    );
    // 1.3 MiB in all: ten of them in one request would exceed even the 1 MiB limit.
    await publisher.publishBatch(url, big);
    assert.equal(await messageCount(url), 12);
  });

  it('When SQS is unreachable for a while, then the consumer keeps polling and consumes once it is back', async () => {
    const { url } = await queue('outage');
    const proxy = await startTcpProxy(new URL(url).origin);
    const proxied = sqsClient(`http://127.0.0.1:${proxy.port}`);
    try {
      await proxy.down();
      const got: string[] = [];
      const consumer = new SqsConsumer({
        client: proxied,
        queueUrl: url,
        waitTimeSeconds: 1,
        handler: (e) => {
          got.push(e.id);
          return Promise.resolve();
        },
      });
      consumers.push(consumer);
      consumer.start();
      const sent = event(1);
      await publisher.publish(url, sent);
      await new Promise((resolve) => setTimeout(resolve, 700));
      assert.deepEqual(got, []);
      await proxy.up();
      await waitFor(() => got.length === 1, 20_000, 'the event after the outage');
      assert.deepEqual(got, [sent.id]);
    } finally {
      await proxy.close();
      proxied.destroy();
    }
  });

  it('When SQS accepts connections but never answers, then publishing gives up after requestTimeoutMs', async () => {
    const { url } = await queue('silent');
    const silent = createServer(() => undefined); // accepts, reads, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const stuck = sqsClient(`http://127.0.0.1:${port}`);
    try {
      const impatient = new SqsPublisher({ client: stuck, requestTimeoutMs: 300, batchRetries: 0 });
      await assert.rejects(impatient.publish(url, event(1)));
      const error = await impatient.publishBatch(url, [event(2)]).catch((e: unknown) => e);
      assert.ok(error instanceof PublishBatchError);
    } finally {
      stuck.destroy();
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('When sqsCheck runs, then it passes for a live queue and fails for a missing one', async () => {
    const { url } = await queue('check');
    await sqsCheck(client, url)();
    await assert.rejects(sqsCheck(client, `${url}-missing`)());
  });

  it('When consumer options are out of range, then the constructor says which', () => {
    const base = { client, queueUrl: 'http://x/q', handler: () => Promise.resolve() };
    assert.throws(() => new SqsConsumer({ ...base, concurrency: 0 }), /concurrency/);
    assert.throws(() => new SqsConsumer({ ...base, waitTimeSeconds: 21 }), /waitTimeSeconds/);
    assert.throws(
      () => new SqsConsumer({ ...base, visibilityTimeoutSec: 0 }),
      /visibilityTimeoutSec/,
    );
    assert.throws(
      () => new SqsConsumer({ ...base, heartbeatIntervalSec: 40 }),
      /heartbeatIntervalSec/,
    );
  });
});

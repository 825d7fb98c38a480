import assert from 'node:assert/strict';
import { CreateQueueCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { uniqueName } from '@shoal/testbed';
import { queueUrlResolver } from '../../src/outbox/queue-url-resolver.ts';
import { sqsClient } from '../messaging/sqs-testbed.ts';

describe('outbox: queue URL resolver against ElasticMQ', () => {
  const sqs = sqsClient();
  after(() => sqs.destroy());

  it('When a queue does not exist, then a plain resolver refuses, and once it exists the next call finds it', async () => {
    const resolve = queueUrlResolver(sqs);
    const queue = uniqueName('missing');
    await assert.rejects(resolve(queue));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queue }));
    assert.equal(await resolve(queue), QueueUrl);
  });

  it('When createMissing is set, then the first publish creates the queue and its URL is reused', async () => {
    const resolve = queueUrlResolver(sqs, {}, { createMissing: true });
    const queue = uniqueName('created');
    const url = await resolve(queue);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
    assert.equal(url, QueueUrl);
    assert.equal(await resolve(queue), url);
  });

  it('When given a full URL or a known name, then it answers without asking SQS', async () => {
    const resolve = queueUrlResolver(sqs, { orders: 'http://sqs.example/000/orders' });
    assert.equal(await resolve('http://sqs.example/000/x'), 'http://sqs.example/000/x');
    assert.equal(await resolve('orders'), 'http://sqs.example/000/orders');
  });
});

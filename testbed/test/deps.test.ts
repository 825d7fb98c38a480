// One real round trip per testbed server with the clients the services use. These prove that
// `make deps-up` produced servers that behave like the real thing for what Shoal needs.
import assert from 'node:assert/strict';
import pg from 'pg';
import { Redis } from 'ioredis';
import { MongoClient } from 'mongodb';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { loadDepsEnv, uniqueName } from '../src/index.ts';

const env = loadDepsEnv();

describe('testbed data dependencies', () => {
  describe('PostgreSQL', () => {
    it('When a row is written in a transaction, then it reads back after commit', async () => {
      const client = new pg.Client({ connectionString: env.PG_URL });
      await client.connect();
      const table = uniqueName('roundtrip', '_');
      try {
        await client.query('BEGIN');
        await client.query(`CREATE TABLE ${table} (id serial PRIMARY KEY, body jsonb NOT NULL)`);
        await client.query(`INSERT INTO ${table} (body) VALUES ($1)`, [{ hello: 'shoal' }]);
        await client.query('COMMIT');
        const { rows } = await client.query<{ body: { hello: string } }>(
          `SELECT body FROM ${table}`,
        );
        assert.deepEqual(
          rows.map((row) => row.body),
          [{ hello: 'shoal' }],
        );
      } finally {
        await client.query(`DROP TABLE IF EXISTS ${table}`);
        await client.end();
      }
    });
  });

  describe('Redis', () => {
    it('When a key is set with a TTL, then it reads back and carries the TTL', async () => {
      const redis = new Redis(env.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await redis.connect();
      const key = uniqueName('roundtrip');
      try {
        await redis.set(key, 'shoal', 'EX', 60);
        assert.equal(await redis.get(key), 'shoal');
        const ttl = await redis.ttl(key);
        assert.ok(ttl > 0 && ttl <= 60, `ttl ${ttl}`);
      } finally {
        await redis.del(key);
        redis.disconnect();
      }
    });
  });

  describe('ElasticMQ (SQS)', () => {
    const sqs = new SQSClient({
      endpoint: env.SQS_ENDPOINT,
      region: env.AWS_REGION,
      credentials: {
        accessKeyId: env.AWS_ACCESS_KEY_ID,
        secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      },
    });
    const created: string[] = [];

    after(async () => {
      for (const QueueUrl of created) await sqs.send(new DeleteQueueCommand({ QueueUrl }));
      sqs.destroy();
    });

    async function createQueue(name: string, attributes: Record<string, string> = {}) {
      const { QueueUrl } = await sqs.send(
        new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
      );
      assert.ok(QueueUrl, 'CreateQueue returned no QueueUrl');
      created.push(QueueUrl);
      return QueueUrl;
    }

    async function receiveOne(QueueUrl: string) {
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 }),
      );
      return Messages?.[0];
    }

    it('When a message is received and deleted, then the queue is empty and its URL is on 127.0.0.1', async () => {
      const name = uniqueName('roundtrip');
      const queueUrl = await createQueue(name);
      const endpoint = new URL(env.SQS_ENDPOINT);
      assert.equal(queueUrl, `${endpoint.origin}/000000000000/${name}`);

      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'hello' }));
      const message = await receiveOne(queueUrl);
      assert.ok(message, 'no message received');
      assert.equal(message.Body, 'hello');
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }),
      );
      // Neither visible nor in flight: the delete took, without waiting for a timeout.
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      assert.equal(Attributes?.ApproximateNumberOfMessages, '0');
      assert.equal(Attributes?.ApproximateNumberOfMessagesNotVisible, '0');
    });

    it('When a message is received maxReceiveCount times without delete, then it lands in the DLQ', async () => {
      const dlqUrl = await createQueue(uniqueName('roundtrip-dlq'));
      const { Attributes } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
      );
      const queueUrl = await createQueue(uniqueName('roundtrip-main'), {
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: Attributes?.QueueArn,
          maxReceiveCount: 2,
        }),
      });
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'poison' }));

      for (let receive = 1; receive <= 2; receive++) {
        const message = await receiveOne(queueUrl);
        assert.ok(message, `receive ${receive} found no message`);
        assert.equal(message.Body, 'poison');
        // Hand it back at once instead of waiting out the visibility timeout.
        await sqs.send(
          new ChangeMessageVisibilityCommand({
            QueueUrl: queueUrl,
            ReceiptHandle: message.ReceiptHandle,
            VisibilityTimeout: 0,
          }),
        );
      }

      assert.equal(await receiveOne(queueUrl), undefined, 'the third receive should find nothing');
      const deadLetter = await receiveOne(dlqUrl);
      assert.equal(deadLetter?.Body, 'poison');
    });
  });

  describe('FerretDB (MongoDB wire protocol)', () => {
    it('When a document is updated in place, then $set, $push, findOneAndUpdate and a unique index behave like MongoDB', async () => {
      const client = new MongoClient(env.MONGO_URL, { serverSelectionTimeoutMS: 10_000 });
      await client.connect();
      const db = client.db(uniqueName('roundtrip', '_'));
      try {
        const orders = db.collection<{ _id: string; status: string; outbox: { id: string }[] }>(
          'orders',
        );
        await orders.insertOne({ _id: 'order-1', status: 'new', outbox: [] });
        // The outbox pattern the services use: change and event in one single-document update.
        const updated = await orders.updateOne(
          { _id: 'order-1' },
          { $set: { status: 'paid' }, $push: { outbox: { id: 'event-1' } } },
        );
        assert.equal(updated.modifiedCount, 1);
        const after = await orders.findOneAndUpdate(
          { _id: 'order-1', status: 'paid' },
          { $set: { status: 'shipped' } },
          { returnDocument: 'after' },
        );
        assert.deepEqual(after, { _id: 'order-1', status: 'shipped', outbox: [{ id: 'event-1' }] });

        await orders.createIndex({ status: 1 }, { unique: true });
        await assert.rejects(
          orders.insertOne({ _id: 'order-2', status: 'shipped', outbox: [] }),
          (error: { code?: number }) => error.code === 11000,
        );
        assert.deepEqual(await orders.find({}).toArray(), [after]);
      } finally {
        await db.dropDatabase();
        await client.close();
      }
    });
  });
});

// The run's data in the shared testbed: PostgreSQL databases created before the services start
// (the platform chart's init does this in the cluster), every queue with its dead-letter queue
// provisioned up front, and all of it removed again when the run ends.
import { DeleteQueueCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { ensureQueues } from '@shoal/kit';
import type { DepsEnv } from '@shoal/testbed';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import type { ServiceName } from './components.ts';
import type { RunNames } from './run-names.ts';

/** A message failing this many receives moves to its queue's DLQ (the charts' MAX_RECEIVE_COUNT). */
const MAX_RECEIVE_COUNT = 5;

/** The SQS client of a run's helpers (provisioning, and the suites' own queue reads). */
export function sqsClient(deps: DepsEnv): SQSClient {
  return new SQSClient({
    endpoint: deps.SQS_ENDPOINT,
    region: deps.AWS_REGION,
    credentials: {
      accessKeyId: deps.AWS_ACCESS_KEY_ID,
      secretAccessKey: deps.AWS_SECRET_ACCESS_KEY,
    },
  });
}

function postgresDatabases(names: RunNames, services: readonly ServiceName[]): string[] {
  const wanted: string[] = [];
  if (services.includes('auth')) wanted.push(names.databases.auth);
  if (services.includes('reporting')) wanted.push(names.databases.reporting);
  return wanted;
}

function queueNames(names: RunNames): string[] {
  const { platformEvents, userEvents, notificationEvents, reportingEvents } = names.queues;
  return [platformEvents, userEvents, notificationEvents, reportingEvents];
}

async function withPostgres<T>(deps: DepsEnv, work: (client: pg.Client) => Promise<T>) {
  const client = new pg.Client({ connectionString: deps.PG_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates the run's PostgreSQL databases and its queues (each with a DLQ and redrive policy). */
export async function provisionRunResources(
  deps: DepsEnv,
  names: RunNames,
  services: readonly ServiceName[],
): Promise<void> {
  await withPostgres(deps, async (client) => {
    for (const database of postgresDatabases(names, services)) {
      // Names come from runNames(): plain identifiers, safe to splice.
      await client.query(`CREATE DATABASE ${database}`);
    }
  });
  const sqs = sqsClient(deps);
  try {
    await ensureQueues(
      sqs,
      queueNames(names).map((name) => ({
        name,
        visibilityTimeout: 30,
        dlq: { name: `${name}-dlq`, maxReceiveCount: MAX_RECEIVE_COUNT },
      })),
    );
  } finally {
    sqs.destroy();
  }
}

/** Drops the run's databases (PostgreSQL and MongoDB) and deletes its queues; best effort. */
export async function removeRunResources(
  deps: DepsEnv,
  names: RunNames,
  services: readonly ServiceName[],
): Promise<string[]> {
  const problems: string[] = [];
  const attempt = async (what: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (error) {
      problems.push(`${what}: ${(error as Error).message}`);
    }
  };
  await attempt('postgres', () =>
    withPostgres(deps, async (client) => {
      for (const database of postgresDatabases(names, services)) {
        await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      }
    }),
  );
  await attempt('mongodb', async () => {
    const mongo = new MongoClient(deps.MONGO_URL, { serverSelectionTimeoutMS: 5000 });
    try {
      const { users, events, notifications } = names.databases;
      for (const database of [users, events, notifications])
        await mongo.db(database).dropDatabase();
    } finally {
      await mongo.close();
    }
  });
  const sqs = sqsClient(deps);
  for (const queue of queueNames(names).flatMap((name) => [name, `${name}-dlq`])) {
    await attempt(`queue ${queue}`, async () => {
      const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: queue }));
      await sqs.send(new DeleteQueueCommand({ QueueUrl }));
    });
  }
  sqs.destroy();
  return problems;
}

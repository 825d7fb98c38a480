import { randomBytes } from 'node:crypto';
import { DeleteQueueCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createLogger, parseConfig } from '@shoal/kit';
import {
  ApiContract,
  ContractCheckedClient,
  loadDepsEnv,
  TokenIssuer,
  uniqueName,
} from '@shoal/testbed';
import { MongoClient } from 'mongodb';
import { createEventService } from '../../src/app.ts';
import type { EventService } from '../../src/app.ts';
import { eventConfigSchema } from '../../src/config.ts';
import type { EventConfig } from '../../src/config.ts';

/** The contract every response of the service under test is checked against. */
export const contract = ApiContract.fromFile(new URL('../../openapi.yaml', import.meta.url));

/** What one test file's instances share: database, queues, token issuer, webhook secret. */
export interface TestEnvironment {
  readonly env: Record<string, string>;
  readonly tokens: TokenIssuer;
  readonly sqs: SQSClient;
  /** Queue names by role: ingest, user, notification, reporting. */
  readonly queues: { ingest: string; user: string; notification: string; reporting: string };
  readonly webhookSecret: string;
  /** The URL of a queue this environment uses (after the service provisioned it). */
  queueUrl(name: string): Promise<string>;
  /** Drops the database and deletes the queues. */
  dispose(): Promise<void>;
}

/** A fresh database name, fresh queue names, a token issuer and a webhook secret. */
export async function createTestEnvironment(): Promise<TestEnvironment> {
  const deps = loadDepsEnv();
  // The AWS SDK reads credentials from the process environment.
  process.env['AWS_ACCESS_KEY_ID'] ??= deps.AWS_ACCESS_KEY_ID;
  process.env['AWS_SECRET_ACCESS_KEY'] ??= deps.AWS_SECRET_ACCESS_KEY;
  const tokens = await TokenIssuer.start();
  const sqs = new SQSClient({ region: deps.AWS_REGION, endpoint: deps.SQS_ENDPOINT });
  const queues = {
    ingest: uniqueName('platform-events'),
    user: uniqueName('user-events'),
    notification: uniqueName('notification-events'),
    reporting: uniqueName('reporting-events'),
  };
  const database = uniqueName('events', '_');
  const webhookSecret = randomBytes(24).toString('base64url');
  const queueUrl = async (name: string) =>
    String((await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl);
  return {
    tokens,
    sqs,
    queues,
    webhookSecret,
    queueUrl,
    env: {
      SERVICE_NAME: uniqueName('event'),
      HOST: '127.0.0.1',
      MONGO_URL: deps.MONGO_URL,
      MONGO_DATABASE: database,
      SQS_ENDPOINT: deps.SQS_ENDPOINT,
      AWS_REGION: deps.AWS_REGION,
      INGEST_QUEUE: queues.ingest,
      SUBSCRIPTIONS: JSON.stringify([
        { name: 'user-events', queue: queues.user, types: ['auth.user.registered'] },
        {
          name: 'notification-events',
          queue: queues.notification,
          types: ['auth.user.registered', 'user.*', 'integration.*'],
        },
        { name: 'reporting-events', queue: queues.reporting, types: ['*'] },
      ]),
      MAX_RECEIVE_COUNT: '2',
      INGEST_WAIT_SEC: '1',
      VISIBILITY_TIMEOUT_SEC: '5',
      RETRY_DELAY_MAX_SEC: '0',
      WEBHOOK_SECRETS: JSON.stringify({ acme: webhookSecret }),
      AUTH_JWKS_URL: tokens.jwksUrl,
      AUTH_ISSUER: tokens.issuer,
      AUTH_AUDIENCE: tokens.audience,
      SHUTDOWN_DELAY_MS: '0',
      SHUTDOWN_TIMEOUT_MS: '5000',
      LOG_LEVEL: 'error',
    },
    async dispose() {
      const mongo = new MongoClient(deps.MONGO_URL);
      try {
        await mongo.db(database).dropDatabase();
      } finally {
        await mongo.close();
      }
      for (const name of Object.values(queues).flatMap((queue) => [queue, `${queue}-dlq`])) {
        await queueUrl(name)
          .then((url) => sqs.send(new DeleteQueueCommand({ QueueUrl: url })))
          .catch(() => undefined);
      }
      sqs.destroy();
      await tokens.stop();
    },
  };
}

/** One running instance of the event service, in this process, on a free port. */
export interface EventUnderTest {
  readonly url: string;
  /** Checks every response against openapi.yaml. */
  readonly api: ContractCheckedClient;
  readonly events: EventService;
  readonly config: EventConfig;
  /** An admin's token. */
  readonly adminToken: string;
  stop(): Promise<void>;
}

/** Starts an instance in `environment`, with `overrides` on top of its variables. */
export async function startEvent(
  environment: TestEnvironment,
  overrides: Record<string, string> = {},
): Promise<EventUnderTest> {
  const config = parseConfig(eventConfigSchema, {
    env: { ...environment.env, ...overrides },
    envFile: false,
  });
  const events = createEventService(config, {
    logger: createLogger({
      service: config.SERVICE_NAME,
      level: config.LOG_LEVEL,
      stream: process.stderr,
    }),
  });
  const { url } = await events.start({ port: 0, handleSignals: false });
  return {
    url,
    api: new ContractCheckedClient(url, contract),
    events,
    config,
    adminToken: environment.tokens.token({ roles: ['user', 'admin'] }),
    stop: () => events.stop(),
  };
}

import { DeleteQueueCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createLogger, parseConfig } from '@shoal/kit';
import { ApiContract, ContractCheckedClient, loadDepsEnv, uniqueName } from '@shoal/testbed';
import { MongoClient } from 'mongodb';
import { createUserService } from '../../src/app.ts';
import type { UserService } from '../../src/app.ts';
import { userConfigSchema } from '../../src/config.ts';
import type { UserConfig } from '../../src/config.ts';
import type { AuthProcess } from './auth-process.ts';

/** The contract every response of the service under test is checked against. */
export const contract = ApiContract.fromFile(new URL('../../openapi.yaml', import.meta.url));

/** What one test file's instances share: database and queue names, the auth service. */
export interface TestEnvironment {
  readonly env: Record<string, string>;
  readonly auth: AuthProcess;
  readonly sqs: SQSClient;
  readonly mongo: MongoClient;
  readonly database: string;
  /** The URL of a queue (it must exist). */
  queueUrl(name: string): Promise<string>;
  /** Drops the database and deletes the queues. */
  dispose(): Promise<void>;
}

/** A fresh database name and fresh queue names, against the given auth service. */
export function createTestEnvironment(
  auth: AuthProcess,
  overrides: Record<string, string> = {},
): TestEnvironment {
  const deps = loadDepsEnv();
  process.env['AWS_ACCESS_KEY_ID'] ??= deps.AWS_ACCESS_KEY_ID;
  process.env['AWS_SECRET_ACCESS_KEY'] ??= deps.AWS_SECRET_ACCESS_KEY;
  const sqs = new SQSClient({ region: deps.AWS_REGION, endpoint: deps.SQS_ENDPOINT });
  const mongo = new MongoClient(deps.MONGO_URL);
  const database = uniqueName('users', '_');
  const env = {
    SERVICE_NAME: uniqueName('user'),
    HOST: '127.0.0.1',
    MONGO_URL: deps.MONGO_URL,
    MONGO_DATABASE: database,
    SQS_ENDPOINT: deps.SQS_ENDPOINT,
    AWS_REGION: deps.AWS_REGION,
    EVENTS_QUEUE: uniqueName('platform-events'),
    USER_EVENTS_QUEUE: uniqueName('user-events'),
    CONSUMER_WAIT_SEC: '1',
    OUTBOX_POLL_MS: '200',
    AUTH_JWKS_URL: auth.jwksUrl,
    AUTH_ISSUER: auth.issuer,
    AUTH_AUDIENCE: auth.audience,
    SHUTDOWN_DELAY_MS: '0',
    SHUTDOWN_TIMEOUT_MS: '5000',
    LOG_LEVEL: 'error',
    ...overrides,
  };
  const queueUrl = async (name: string) =>
    String((await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl);
  return {
    env,
    auth,
    sqs,
    mongo,
    database,
    queueUrl,
    async dispose() {
      await mongo
        .db(database)
        .dropDatabase()
        .catch(() => undefined);
      await mongo.close();
      for (const name of [env.EVENTS_QUEUE, env.USER_EVENTS_QUEUE]) {
        await queueUrl(name)
          .then((url) => sqs.send(new DeleteQueueCommand({ QueueUrl: url })))
          .catch(() => undefined);
      }
      sqs.destroy();
    },
  };
}

/** One running instance of the user service, in this process, on a free port. */
export interface UserUnderTest {
  readonly url: string;
  /** Checks every response against openapi.yaml. */
  readonly api: ContractCheckedClient;
  readonly users: UserService;
  readonly config: UserConfig;
  stop(): Promise<void>;
}

/** Starts an instance in `environment`. */
export async function startUser(environment: TestEnvironment): Promise<UserUnderTest> {
  const config = parseConfig(userConfigSchema, { env: environment.env, envFile: false });
  const users = createUserService(config, {
    logger: createLogger({
      service: config.SERVICE_NAME,
      level: config.LOG_LEVEL,
      stream: process.stderr,
    }),
  });
  const { url } = await users.start({ port: 0, handleSignals: false });
  return {
    url,
    api: new ContractCheckedClient(url, contract),
    users,
    config,
    stop: () => users.stop(),
  };
}

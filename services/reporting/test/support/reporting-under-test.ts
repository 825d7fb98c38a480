import {
  DeleteQueueCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { createLogger, parseConfig } from '@shoal/kit';
import type { CloudEvent } from '@shoal/kit';
import {
  ApiContract,
  ContractCheckedClient,
  createTestDatabase,
  loadDepsEnv,
  TokenIssuer,
  uniqueName,
} from '@shoal/testbed';
import { createReportingService } from '../../src/app.ts';
import type { ReportingService } from '../../src/app.ts';
import { reportingConfigSchema } from '../../src/config.ts';
import type { TestDatabase } from '@shoal/testbed';

/** The contract every response of the service under test is checked against. */
export const contract = ApiContract.fromFile(new URL('../../openapi.yaml', import.meta.url));

/** What one test file's instances share: database, queue, token issuer. */
export interface TestEnvironment {
  readonly env: Record<string, string>;
  readonly database: TestDatabase;
  readonly tokens: TokenIssuer;
  readonly sqs: SQSClient;
  readonly queue: string;
  /** Sends raw message bodies to the reporting queue, ten per request. */
  send(bodies: readonly string[]): Promise<void>;
  /** Sends events (as CloudEvent JSON) to the reporting queue. */
  sendEvents(events: readonly CloudEvent[]): Promise<void>;
  /** Receives what reached the dead-letter queue within `waitSec`. */
  receiveDeadLetters(waitSec: number): Promise<string[]>;
  dispose(): Promise<void>;
}

/** A fresh database, a fresh queue name, a token issuer. */
export async function createTestEnvironment(): Promise<TestEnvironment> {
  const deps = loadDepsEnv();
  // The AWS SDK reads credentials from the process environment.
  process.env['AWS_ACCESS_KEY_ID'] ??= deps.AWS_ACCESS_KEY_ID;
  process.env['AWS_SECRET_ACCESS_KEY'] ??= deps.AWS_SECRET_ACCESS_KEY;
  const database = await createTestDatabase('reporting');
  const tokens = await TokenIssuer.start();
  const sqs = new SQSClient({ region: deps.AWS_REGION, endpoint: deps.SQS_ENDPOINT });
  const queue = uniqueName('reporting-events');
  const queueUrl = async (name: string) =>
    String((await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl);
  const send = async (bodies: readonly string[]) => {
    const url = await queueUrl(queue);
    for (let start = 0; start < bodies.length; start += 10) {
      const entries = bodies.slice(start, start + 10).map((body, index) => ({
        Id: String(index),
        MessageBody: body,
      }));
      const result = await sqs.send(
        new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }),
      );
      if ((result.Failed ?? []).length > 0) throw new Error('SQS refused a test message');
    }
  };
  return {
    database,
    tokens,
    sqs,
    queue,
    send,
    sendEvents: (events) => send(events.map((event) => JSON.stringify(event))),
    async receiveDeadLetters(waitSec) {
      const result = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: await queueUrl(`${queue}-dlq`),
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: waitSec,
        }),
      );
      return (result.Messages ?? []).map((message) => message.Body ?? '');
    },
    env: {
      SERVICE_NAME: uniqueName('reporting'),
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: '5',
      SQS_ENDPOINT: deps.SQS_ENDPOINT,
      AWS_REGION: deps.AWS_REGION,
      REPORTING_EVENTS_QUEUE: queue,
      MAX_RECEIVE_COUNT: '2',
      CONSUMER_WAIT_SEC: '1',
      VISIBILITY_TIMEOUT_SEC: '2',
      AUTH_JWKS_URL: tokens.jwksUrl,
      AUTH_ISSUER: tokens.issuer,
      AUTH_AUDIENCE: tokens.audience,
      SHUTDOWN_DELAY_MS: '0',
      SHUTDOWN_TIMEOUT_MS: '5000',
      LOG_LEVEL: 'error',
    },
    async dispose() {
      for (const name of [queue, `${queue}-dlq`]) {
        await queueUrl(name)
          .then((url) => sqs.send(new DeleteQueueCommand({ QueueUrl: url })))
          .catch(() => undefined);
      }
      sqs.destroy();
      await tokens.stop();
      await database.drop();
    },
  };
}

/** One running instance of the reporting service, in this process, on a free port. */
export interface ReportingUnderTest {
  readonly url: string;
  /** Checks every response against openapi.yaml. */
  readonly api: ContractCheckedClient;
  readonly reporting: ReportingService;
  /** An admin's token. */
  readonly adminToken: string;
  /** Resolves once the consumer has handled (recorded or refused) `count` messages in all. */
  handled(count: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts an instance in `environment`, with `overrides` on top of its variables. */
export async function startReporting(
  environment: TestEnvironment,
  overrides: Record<string, string> = {},
): Promise<ReportingUnderTest> {
  const config = parseConfig(reportingConfigSchema, {
    env: { ...environment.env, ...overrides },
    envFile: false,
  });
  const reporting = createReportingService(config, {
    logger: createLogger({
      service: config.SERVICE_NAME,
      level: config.LOG_LEVEL,
      stream: process.stderr,
    }),
  });
  const { url } = await reporting.start({ port: 0, handleSignals: false });
  return {
    url,
    api: new ContractCheckedClient(url, contract),
    reporting,
    adminToken: environment.tokens.token({ roles: ['user', 'admin'] }),
    async handled(count) {
      // Bounded by mocha's timeout, not by a clock of our own.
      while (reporting.consumerStats().processed + reporting.consumerStats().failed < count) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    stop: () => reporting.stop(),
  };
}

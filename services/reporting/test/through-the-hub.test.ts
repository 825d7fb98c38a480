import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { DeleteQueueCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { createEventService, eventConfigSchema } from '@shoal/event';
import type { EventService } from '@shoal/event';
import { createLogger, ensureQueues, parseConfig, SqsPublisher } from '@shoal/kit';
import { loadDepsEnv, uniqueName } from '@shoal/testbed';
import { MongoClient } from 'mongodb';
import { eventAt, loggedIn, notification, registered } from './support/events.ts';
import { createTestEnvironment, startReporting } from './support/reporting-under-test.ts';
import type { ReportingUnderTest, TestEnvironment } from './support/reporting-under-test.ts';

/**
 * The real path: producers publish to the hub's ingest queue; the event hub (in this process,
 * its event log in FerretDB) checks each contract and fans every type out to reporting-events,
 * which the reporting service consumes. Proves the envelope the hub forwards is what the
 * reporting consumer reads.
 */
describe('through the event hub: ingest -> contract check -> reporting-events -> reports', () => {
  let environment: TestEnvironment;
  let reporting: ReportingUnderTest;
  let hub: EventService;
  const ingest = uniqueName('platform-events');
  const mongoDatabase = uniqueName('events', '_');

  before(async () => {
    environment = await createTestEnvironment();
    const deps = loadDepsEnv();
    hub = createEventService(
      parseConfig(eventConfigSchema, {
        env: {
          SERVICE_NAME: uniqueName('event'),
          HOST: '127.0.0.1',
          MONGO_URL: deps.MONGO_URL,
          MONGO_DATABASE: mongoDatabase,
          SQS_ENDPOINT: deps.SQS_ENDPOINT,
          AWS_REGION: deps.AWS_REGION,
          INGEST_QUEUE: ingest,
          SUBSCRIPTIONS: JSON.stringify([
            { name: 'reporting-events', queue: environment.queue, types: ['*'] },
          ]),
          INGEST_WAIT_SEC: '1',
          AUTH_JWKS_URL: environment.tokens.jwksUrl,
          SHUTDOWN_DELAY_MS: '0',
          LOG_LEVEL: 'error',
        },
        envFile: false,
      }),
      { logger: createLogger({ service: 'event', level: 'error', stream: process.stderr }) },
    );
    await hub.start({ port: 0, handleSignals: false });
    reporting = await startReporting(environment);
  });
  after(async () => {
    await reporting?.stop();
    await hub?.stop();
    for (const name of [ingest, `${ingest}-dlq`]) {
      await environment.sqs
        .send(new GetQueueUrlCommand({ QueueName: name }))
        .then(({ QueueUrl }) => environment.sqs.send(new DeleteQueueCommand({ QueueUrl })))
        .catch(() => undefined);
    }
    const mongo = new MongoClient(loadDepsEnv().MONGO_URL);
    await mongo
      .db(mongoDatabase)
      .dropDatabase()
      .catch(() => undefined);
    await mongo.close();
    await environment?.dispose();
  });

  it('When producers publish to the hub, then the reports count what the hub accepted, once each', async () => {
    const user = randomUUID();
    const accepted = [
      registered(user, '2026-09-01T08:00:00Z'),
      loggedIn(user, '2026-09-01T09:00:00Z'),
      notification('sent', user, '2026-09-01T08:01:00Z'),
    ];
    // The hub refuses what breaks its contract: it never reaches the reports.
    const refused = eventAt('auth.user.logged_in', '2026-09-01T10:00:00Z', { id: 'not-a-uuid' });
    const urls = await ensureQueues(environment.sqs, [{ name: ingest }]);
    const publisher = new SqsPublisher({ client: environment.sqs });
    // Each accepted event published twice: the hub and the reports both dedupe by id.
    await publisher.publishBatch(urls[ingest] as string, [...accepted, refused]);
    await publisher.publishBatch(urls[ingest] as string, accepted);
    // The hub may forward a copy twice (FerretDB claims, see docs/status.md): wait for the
    // events themselves, not for a number of messages.
    const totals = async () =>
      (
        await reporting.api.get<{ totals: Record<string, number> }>(
          '/api/reports/summary?from=2026-09-01&to=2026-09-02',
          { token: reporting.adminToken },
        )
      ).body.totals;
    while (((await totals())['events'] ?? 0) < accepted.length) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.deepEqual(await totals(), {
      events: 3,
      signups: 1,
      logins: 1,
      active_users: 1,
      notifications_sent: 1,
      notifications_failed: 0,
    });
  });
});

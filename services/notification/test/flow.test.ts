import assert from 'node:assert/strict';
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { createEventService, eventConfigSchema } from '@shoal/event';
import type { EventService } from '@shoal/event';
import { createLogger, parseConfig } from '@shoal/kit';
import type { CloudEvent } from '@shoal/kit';
import { loadDepsEnv, uniqueName } from '@shoal/testbed';
import { sharedAuth } from './support/auth-process.ts';
import { eventually, NotificationTestbed } from './support/notification-under-test.ts';

// The whole path, every piece real: a registration in auth (its own process, PostgreSQL,
// outbox) -> SQS -> the event hub (contracts, FerretDB log, fan-out) -> SQS -> the user service
// (profile) and this service (welcome email, inbox item) -> notification.sent back through the
// hub (so its contract is checked there) -> the reporting subscriber queue.
describe('flow: a registration in auth ends as a welcome email, an inbox item and notification.sent at reporting', () => {
  const queues = {
    user: uniqueName('user-events'),
    notification: uniqueName('notification-events'),
    reporting: uniqueName('reporting-events'),
  };
  let testbed: NotificationTestbed;
  let hub: EventService;
  const hubDatabase = uniqueName('notif_hub', '_');

  before(async () => {
    const auth = await sharedAuth();
    const deps = loadDepsEnv();
    hub = createEventService(
      parseConfig(eventConfigSchema, {
        env: {
          SERVICE_NAME: 'event',
          HOST: '127.0.0.1',
          MONGO_URL: deps.MONGO_URL,
          MONGO_DATABASE: hubDatabase,
          SQS_ENDPOINT: deps.SQS_ENDPOINT,
          AWS_REGION: deps.AWS_REGION,
          INGEST_QUEUE: auth.eventsQueue,
          INGEST_WAIT_SEC: '1',
          SUBSCRIPTIONS: JSON.stringify([
            { name: 'user-events', queue: queues.user, types: ['auth.user.registered'] },
            {
              name: 'notification-events',
              queue: queues.notification,
              types: ['auth.user.registered', 'user.*', 'integration.*'],
            },
            { name: 'reporting-events', queue: queues.reporting, types: ['*'] },
          ]),
          AUTH_JWKS_URL: auth.jwksUrl,
          SHUTDOWN_DELAY_MS: '0',
          LOG_LEVEL: 'error',
        },
        envFile: false,
      }),
      { logger: createLogger({ service: 'event', level: 'error', stream: process.stderr }) },
    );
    await hub.start({ port: 0, handleSignals: false });
    testbed = new NotificationTestbed(
      { NOTIFICATION_EVENTS_QUEUE: queues.notification, EVENTS_QUEUE: auth.eventsQueue },
      { USER_EVENTS_QUEUE: queues.user, EVENTS_QUEUE: auth.eventsQueue },
    );
    await testbed.start();
  });
  after(async () => {
    await testbed?.stop();
    await hub?.stop();
    await testbed?.mongo
      .db(hubDatabase)
      .dropDatabase()
      .catch(() => undefined);
  });

  it('When a user registers in auth, then one welcome email, one inbox item, and both notification.sent reach reporting', async () => {
    const user = await testbed.auth.register('Flora Flow');

    const mail = await eventually(() => testbed.smtp.to(user.email)[0], 'the welcome email', 300);
    assert.match(mail.subject, /Welcome/);
    assert.match(mail.text, /Flora Flow/);
    const inbox = await testbed.api.get('/api/notifications', { token: user.token });
    assert.equal((inbox.body['items'] as unknown[]).length, 1);

    const reportingUrl = await testbed.queueUrl(queues.reporting);
    const seen: CloudEvent[] = [];
    await eventually(
      async () => {
        const { Messages } = await testbed.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: reportingUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            VisibilityTimeout: 300,
          }),
        );
        for (const message of Messages ?? [])
          seen.push(JSON.parse(message.Body ?? '') as CloudEvent);
        const channels = seen
          .filter((event) => event.type === 'notification.sent' && event.subject === user.id)
          .map((event) => (event.data as { channel: string }).channel);
        return channels.length >= 2 ? channels : undefined;
      },
      'notification.sent on the reporting queue',
      60,
    ).then((channels) => assert.deepEqual([...channels].sort(), ['email', 'inApp']));
    assert.equal(testbed.smtp.to(user.email).length, 1);
  });
});

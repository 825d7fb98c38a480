import assert from 'node:assert/strict';
import { createEventService, eventConfigSchema } from '@shoal/event';
import type { EventService } from '@shoal/event';
import { createLogger, parseConfig } from '@shoal/kit';
import type { CloudEvent } from '@shoal/kit';
import { uniqueName } from '@shoal/testbed';
import { MongoClient } from 'mongodb';
import { sharedAuth } from './support/auth-process.ts';
import type { AuthProcess } from './support/auth-process.ts';
import { eventually, readEvents } from './support/queue-reader.ts';
import { createTestEnvironment, startUser } from './support/user-under-test.ts';
import type { TestEnvironment, UserUnderTest } from './support/user-under-test.ts';

// The whole path, every piece real: auth (its own process, PostgreSQL, outbox) -> SQS ->
// the event service (contracts, event log in FerretDB, fan-out) -> SQS -> the user service.
describe('flow: a registration in auth ends as a profile and a copy on every subscriber queue', () => {
  let auth: AuthProcess;
  let environment: TestEnvironment;
  let users: UserUnderTest;
  let events: EventService;
  let eventDatabase: string;
  const queues = {
    user: uniqueName('user-events'),
    notification: uniqueName('notification-events'),
    reporting: uniqueName('reporting-events'),
  };

  before(async () => {
    auth = await sharedAuth();
    environment = createTestEnvironment(auth, {
      USER_EVENTS_QUEUE: queues.user,
      EVENTS_QUEUE: auth.eventsQueue,
    });
    eventDatabase = `${environment.database}_events`;
    const config = parseConfig(eventConfigSchema, {
      env: {
        SERVICE_NAME: 'event',
        HOST: '127.0.0.1',
        MONGO_URL: environment.env['MONGO_URL'],
        MONGO_DATABASE: eventDatabase,
        SQS_ENDPOINT: environment.env['SQS_ENDPOINT'],
        AWS_REGION: environment.env['AWS_REGION'],
        INGEST_QUEUE: auth.eventsQueue,
        INGEST_WAIT_SEC: '1',
        SUBSCRIPTIONS: JSON.stringify([
          { name: 'user-events', queue: queues.user, types: ['auth.user.registered'] },
          {
            name: 'notification-events',
            queue: queues.notification,
            types: ['auth.user.registered', 'user.*'],
          },
          { name: 'reporting-events', queue: queues.reporting, types: ['*'] },
        ]),
        AUTH_JWKS_URL: auth.jwksUrl,
        SHUTDOWN_DELAY_MS: '0',
        LOG_LEVEL: 'error',
      },
      envFile: false,
    });
    events = createEventService(config, {
      logger: createLogger({ service: 'event', level: 'error', stream: process.stderr }),
    });
    await events.start({ port: 0, handleSignals: false });
    users = await startUser(environment);
  });
  after(async () => {
    await users?.stop();
    await events?.stop();
    const mongo = new MongoClient(String(environment?.env['MONGO_URL']));
    await mongo
      .db(eventDatabase)
      .dropDatabase()
      .catch(() => undefined);
    await mongo.close();
    await environment?.dispose();
  });

  /** Reads a subscriber queue until an event of `type` about `subject` shows up. */
  const copyOn = async (queue: string, type: string, subject: string) => {
    const url = await environment.queueUrl(queue);
    const seen: CloudEvent[] = [];
    return eventually(
      async () => {
        seen.push(...(await readEvents(environment.sqs, url, 10, 1)));
        return seen.find((event) => event.type === type && event.subject === subject);
      },
      `${type} for ${subject} on ${queue}`,
      20,
      0,
    );
  };

  it('When a user registers in auth, then the user service has their profile and every subscriber queue a copy', async () => {
    const user = await auth.register('Katherine Johnson');

    const profile = await eventually(
      async () => {
        const stored = await users.users.profiles.contact(user.id).catch(() => undefined);
        return stored?.email === null ? undefined : stored;
      },
      'the profile made from the registration',
      200,
    );
    assert.equal(profile.email, user.email);
    assert.equal(profile.displayName, 'Katherine Johnson');
    const me = await users.api.get('/api/users/me', { token: user.token });
    assert.equal(me.body['email'], user.email);

    const [toNotification, toReporting] = await Promise.all([
      copyOn(queues.notification, 'auth.user.registered', user.id),
      copyOn(queues.reporting, 'auth.user.registered', user.id),
    ]);
    assert.equal(toNotification.id, toReporting.id);
    assert.equal(toNotification.source, '/shoal/auth');
    assert.deepEqual(toNotification.data, { id: user.id, email: user.email, name: user.name });
    assert.equal((await events.hub.get(toNotification.id)).delivered.length, 3);
  });

  it('When the user changes their profile, then user.profile.updated travels through the hub to its subscribers', async () => {
    const user = await auth.register('Dorothy Vaughan');
    await users.api.patch('/api/users/me', { timezone: 'America/New_York' }, { token: user.token });
    const copy = await copyOn(queues.notification, 'user.profile.updated', user.id);
    assert.equal(copy.source, '/shoal/user');
    assert.deepEqual((copy.data as { changed: string[] }).changed, ['timezone']);
  });
});

import assert from 'node:assert/strict';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { authEventSchemas, EVENT_SOURCE } from '../src/events/auth-events.ts';
import type { AuthEventType } from '../src/events/auth-events.ts';
import { createTestEnvironment, newAccount, startAuth } from './support/auth-under-test.ts';
import type { AuthUnderTest, TestEnvironment } from './support/auth-under-test.ts';

const ADMIN = { email: 'admin@example.com', password: 'admin password of some length' };

interface ReceivedEvent {
  readonly body: Record<string, unknown>;
  readonly attributes: Record<string, string | undefined>;
}

/** Reads the queue until `count` events arrived (long polling, bounded by `maxPolls`). */
async function receive(
  sqs: SQSClient,
  queueUrl: string,
  count: number,
  maxPolls = 20,
): Promise<ReceivedEvent[]> {
  const events: ReceivedEvent[] = [];
  for (let poll = 0; poll < maxPolls && events.length < count; poll += 1) {
    const { Messages } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    for (const message of Messages ?? []) {
      events.push({
        body: JSON.parse(message.Body ?? '{}') as Record<string, unknown>,
        attributes: Object.fromEntries(
          Object.entries(message.MessageAttributes ?? {}).map(([key, value]) => [
            key,
            value.StringValue,
          ]),
        ),
      });
    }
  }
  return events;
}

describe('events: CloudEvents through the outbox to the events queue', () => {
  let environment: TestEnvironment;
  let service: AuthUnderTest;
  let sqs: SQSClient;
  let queueUrl: string;

  before(async () => {
    environment = await createTestEnvironment();
    sqs = new SQSClient({
      region: environment.env['AWS_REGION'],
      endpoint: environment.env['SQS_ENDPOINT'],
    });
    const created = await sqs.send(
      new CreateQueueCommand({ QueueName: environment.env['EVENTS_QUEUE'] }),
    );
    queueUrl = String(created.QueueUrl);
    service = await startAuth(environment, {
      AUTH_ADMIN_EMAIL: ADMIN.email,
      AUTH_ADMIN_PASSWORD: ADMIN.password,
    });
  });
  after(async () => {
    await service?.stop();
    await sqs?.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => undefined);
    sqs?.destroy();
    await environment?.dispose();
  });

  it('When users register, log in and get new roles, then exactly the documented events arrive', async () => {
    const account = newAccount({ name: '  Ada Lovelace ' });
    const registered = await service.api.post('/api/auth/register', account);
    const id = String(registered.body['id']);
    await service.api.post('/api/auth/login', account);
    await service.api.post('/api/auth/login', { ...account, password: 'a wrong password' });
    const adminLogin = await service.api.post('/api/auth/login', ADMIN);
    const adminId = String(
      (await service.api.get('/api/auth/me', { token: String(adminLogin.body['access_token']) }))
        .body['id'],
    );
    await service.api.put(
      `/api/auth/users/${id}/roles`,
      { roles: ['user', 'editor'] },
      {
        token: String(adminLogin.body['access_token']),
      },
    );

    // The admin's registration at start, then: registered, logged_in (not the failed login),
    // the admin's logged_in, roles_changed.
    const events = await receive(sqs, queueUrl, 5);
    for (const { body, attributes } of events) {
      assert.equal(body['specversion'], '1.0');
      assert.equal(body['source'], EVENT_SOURCE);
      assert.match(String(body['id']), /^[0-9a-f-]{36}$/);
      assert.ok(!Number.isNaN(Date.parse(String(body['time']))));
      assert.equal(body['datacontenttype'], 'application/json');
      assert.equal(attributes['ce-type'], body['type']);
      const schema = authEventSchemas[body['type'] as AuthEventType];
      assert.ok(schema, `undocumented event type ${String(body['type'])}`);
      schema.parse(body['data']);
    }
    const summary = events
      .map(({ body }) => ({ type: body['type'], subject: body['subject'], data: body['data'] }))
      .sort((a, b) =>
        `${String(a.type)}${String(a.subject)}`.localeCompare(
          `${String(b.type)}${String(b.subject)}`,
        ),
      );
    const expected = [
      { type: 'auth.user.logged_in', subject: adminId, data: { id: adminId } },
      { type: 'auth.user.logged_in', subject: id, data: { id } },
      {
        type: 'auth.user.registered',
        subject: adminId,
        data: { id: adminId, email: ADMIN.email, name: 'Administrator' },
      },
      {
        type: 'auth.user.registered',
        subject: id,
        data: { id, email: account.email, name: 'Ada Lovelace' },
      },
      {
        type: 'auth.user.roles_changed',
        subject: id,
        data: { id, roles: ['editor', 'user'], previous_roles: ['user'] },
      },
    ].sort((a, b) => `${a.type}${a.subject}`.localeCompare(`${b.type}${b.subject}`));
    assert.deepEqual(summary, expected);
    // Nothing more: each change produced one event, and the failed login none.
    assert.deepEqual(await receive(sqs, queueUrl, 1, 2), []);
  });

  it('When a registration is refused (email taken), then no event is published for it', async () => {
    const account = newAccount();
    await service.api.post('/api/auth/register', account);
    assert.equal((await service.api.post('/api/auth/register', account)).status, 409);
    const events = await receive(sqs, queueUrl, 2, 3);
    assert.deepEqual(
      events.map(({ body }) => body['type']),
      ['auth.user.registered'],
    );
  });
});

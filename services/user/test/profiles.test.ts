import assert from 'node:assert/strict';
import { sharedAuth } from './support/auth-process.ts';
import type { TestUser } from './support/auth-process.ts';
import { deliverRegistration, eventually, readEvents } from './support/queue-reader.ts';
import { createTestEnvironment, startUser } from './support/user-under-test.ts';
import type { TestEnvironment, UserUnderTest } from './support/user-under-test.ts';

describe('profiles: created from registrations, read and changed by their owner', () => {
  let environment: TestEnvironment;
  let service: UserUnderTest;
  let userEventsUrl: string;
  let eventsUrl: string;

  before(async () => {
    environment = createTestEnvironment(await sharedAuth());
    service = await startUser(environment);
    userEventsUrl = await environment.queueUrl(environment.env['USER_EVENTS_QUEUE'] as string);
    eventsUrl = await environment
      .queueUrl(environment.env['EVENTS_QUEUE'] as string)
      .catch(() => '');
  });
  after(async () => {
    await service?.stop();
    await environment?.dispose();
  });

  const me = (user: TestUser) => service.api.get('/api/users/me', { token: user.token });
  const profileCount = (id: string) =>
    environment.mongo
      .db(environment.database)
      .collection('profiles')
      .countDocuments({ _id: id } as never);

  it('When auth.user.registered arrives, then the profile exists with its email and name, once, however often it arrives', async () => {
    const user = await environment.auth.register('Ada Lovelace');
    const event = await deliverRegistration(environment.sqs, userEventsUrl, user);
    await deliverRegistration(environment.sqs, userEventsUrl, user, { id: event.id });

    const profile = await eventually(async () => {
      const found = await service.users.profiles.contact(user.id).catch(() => undefined);
      return found?.email === null ? undefined : found;
    }, 'the profile from the event');
    assert.equal(profile.email, user.email);
    assert.equal(profile.displayName, 'Ada Lovelace');
    const response = await me(user);
    assert.equal(response.status, 200);
    assert.equal(response.body['email'], user.email);
    assert.deepEqual(response.body['notificationPrefs'], { email: true, inApp: true });
    assert.equal(await profileCount(user.id), 1);
  });

  it('When GET me comes before the registration event, then a profile is created, and the late event fills it in without a duplicate', async () => {
    const user = await environment.auth.register('Grace Hopper');
    const first = await me(user);
    assert.equal(first.status, 200);
    assert.equal(first.body['id'], user.id);
    assert.equal(first.body['email'], null);
    await service.api.patch('/api/users/me', { bio: 'compilers' }, { token: user.token });
    // FerretDB (the test server) can lose one of two concurrent updates of a document: let the
    // relay finish with this one before the registration writes it (see README, FerretDB).
    await eventually(async () => {
      const document = await environment.mongo
        .db(environment.database)
        .collection('profiles')
        .findOne({ _id: user.id } as never);
      return (document?.['_outbox'] as unknown[] | undefined)?.length === 0 ? true : undefined;
    }, 'the outbox relayed');

    await deliverRegistration(environment.sqs, userEventsUrl, user);
    const filled = await eventually(async () => {
      const response = await me(user);
      return response.body['email'] === null ? undefined : response.body;
    }, 'the email from the late event');
    assert.equal(filled['email'], user.email);
    assert.equal(filled['displayName'], 'Grace Hopper');
    assert.equal(filled['bio'], 'compilers');
    assert.equal(await profileCount(user.id), 1);
  });

  it('When a registration comes from a source other than auth, then it is ignored', async () => {
    const user = await environment.auth.register();
    await deliverRegistration(
      environment.sqs,
      userEventsUrl,
      { ...user, email: 'attacker@example.com' },
      { source: '/shoal/http/someone' },
    );
    const trusted = await deliverRegistration(environment.sqs, userEventsUrl, user);
    await eventually(
      async () =>
        (await service.users.profiles.contact(user.id).catch(() => undefined))?.email ?? undefined,
      `the profile from ${trusted.id}`,
    );
    assert.equal((await me(user)).body['email'], user.email);
  });

  it('When the owner changes their profile, then it is stored and user.profile.updated is published once', async () => {
    const user = await environment.auth.register('Alan');
    const response = await service.api.patch(
      '/api/users/me',
      {
        displayName: '  Alan Turing ',
        locale: 'en-gb',
        timezone: 'Europe/London',
        notificationPrefs: { email: false },
      },
      { token: user.token },
    );
    assert.equal(response.status, 200);
    assert.equal(response.body['displayName'], 'Alan Turing');
    assert.equal(response.body['locale'], 'en-GB');
    assert.deepEqual(response.body['notificationPrefs'], { email: false, inApp: true });
    assert.deepEqual((await me(user)).body, response.body);

    // The same values again change nothing and publish nothing.
    await service.api.patch('/api/users/me', { timezone: 'Europe/London' }, { token: user.token });
    eventsUrl ||= await environment.queueUrl(environment.env['EVENTS_QUEUE'] as string);
    const events = (await readEvents(environment.sqs, eventsUrl, 10, 3)).filter(
      (event) => event.subject === user.id,
    );
    assert.equal(events.length, 1);
    assert.equal(events[0]?.type, 'user.profile.updated');
    assert.equal(events[0]?.source, '/shoal/user');
    assert.deepEqual(events[0]?.data, {
      id: user.id,
      changed: ['displayName', 'locale', 'timezone', 'notificationPrefs.email'],
      profile: {
        displayName: 'Alan Turing',
        bio: null,
        locale: 'en-GB',
        timezone: 'Europe/London',
        notificationPrefs: { email: false, inApp: true },
      },
    });
  });

  it('When a change names fields the user may not set, then it is a 400 naming them and nothing is stored', async () => {
    const user = await environment.auth.register('Mallory');
    for (const body of [
      { roles: ['admin'] },
      { id: 'someone-else' },
      { email: 'mallory@evil.example' },
      { displayName: 'ok', deletedAt: null },
      { notificationPrefs: { email: true, sms: true } },
    ]) {
      const response = await service.api.patch('/api/users/me', body, { token: user.token });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
      assert.match(JSON.stringify(response.body['errors']), /Unrecognized key/);
    }
    const profile = (await me(user)).body;
    assert.equal(profile['displayName'], null);
    assert.equal(profile['email'], null);
  });

  it('When a change is malformed, then the answer is a 400/415 problem that says why', async () => {
    const user = await environment.auth.register();
    const cases: Array<[unknown, RegExp]> = [
      [{ locale: 'not a locale!' }, /BCP 47/],
      [{ timezone: 'Mars/Olympus' }, /IANA/],
      [{ displayName: '   ' }, /displayName/],
      [{ bio: 'x'.repeat(1001) }, /bio/],
      [{}, /at least one field/],
      [{ notificationPrefs: { email: 'yes' } }, /notificationPrefs\.email/],
    ];
    for (const [body, reason] of cases) {
      const response = await service.api.patch('/api/users/me', body, { token: user.token });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.match(JSON.stringify(response.body), reason);
    }
    const malformed = await service.api.request('PATCH', '/api/users/me', {
      token: user.token,
      rawBody: '{"bio":',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(malformed.status, 400);
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
      const notJson = await service.api.request('PATCH', '/api/users/me', {
        token: user.token,
        rawBody: 'bio=hi',
        headers: { 'content-type': contentType },
      });
      assert.equal(notJson.status, 415, contentType);
    }
  });

  it('When the owner deletes their profile, then it is gone for them, user.deleted is published, and a late registration does not bring it back', async () => {
    const user = await environment.auth.register('Temporary');
    await me(user);
    assert.equal((await service.api.delete('/api/users/me', { token: user.token })).status, 204);
    assert.equal((await me(user)).status, 404);
    assert.equal((await service.api.delete('/api/users/me', { token: user.token })).status, 404);

    eventsUrl ||= await environment.queueUrl(environment.env['EVENTS_QUEUE'] as string);
    const events = await eventually(
      async () => {
        const found = (await readEvents(environment.sqs, eventsUrl, 10, 2)).filter(
          (event) => event.subject === user.id,
        );
        return found.length > 0 ? found : undefined;
      },
      'user.deleted',
      10,
    );
    assert.deepEqual(
      events.map((event) => event.type),
      ['user.deleted'],
    );

    // What the consumer does with a registration redelivered (or replayed) now.
    await service.users.profiles.registered(user);
    assert.equal((await me(user)).status, 404);
    const admin = await environment.auth.adminToken();
    const asAdmin = await service.api.get(`/api/users/${user.id}`, { token: admin });
    assert.equal(asAdmin.status, 200);
    assert.ok(!Number.isNaN(Date.parse(String(asAdmin.body['deletedAt']))));
  });
});

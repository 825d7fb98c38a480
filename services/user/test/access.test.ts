import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { CONTACT_CLIENT, OTHER_CLIENT, sharedAuth } from './support/auth-process.ts';
import type { TestUser } from './support/auth-process.ts';
import { createTestEnvironment, startUser } from './support/user-under-test.ts';
import type { TestEnvironment, UserUnderTest } from './support/user-under-test.ts';

describe('access: owners, admins and services', () => {
  let environment: TestEnvironment;
  let service: UserUnderTest;
  let alice: TestUser;
  let bob: TestUser;
  let adminToken: string;

  before(async () => {
    environment = createTestEnvironment(await sharedAuth());
    service = await startUser(environment);
    alice = await environment.auth.register('Alice Liddell');
    bob = await environment.auth.register('Bob Builder');
    adminToken = await environment.auth.adminToken();
    // Alice's profile comes from her first read, then her registration (what the consumer
    // does with the event); Bob's from the registration alone.
    await service.api.get('/api/users/me', { token: alice.token });
    await service.users.profiles.registered(alice);
    await service.users.profiles.registered(bob);
  });
  after(async () => {
    await service?.stop();
    await environment?.dispose();
  });

  it('When a user reads another user by id, then the answer is the same 404 as for an id that does not exist', async () => {
    const other = await service.api.get(`/api/users/${bob.id}`, { token: alice.token });
    const missing = await service.api.get(`/api/users/${randomUUID()}`, { token: alice.token });
    assert.equal(other.status, 404);
    assert.equal(missing.status, 404);
    assert.deepEqual(
      { ...other.body, instance: undefined },
      { ...missing.body, instance: undefined },
    );
    const own = await service.api.get(`/api/users/${alice.id}`, { token: alice.token });
    assert.equal(own.status, 200);
    assert.equal(own.body['id'], alice.id);
  });

  it('When a user tries to change another user, then there is no way to: only /me is writable', async () => {
    for (const method of ['PATCH', 'PUT', 'DELETE']) {
      const response = await service.api.request(method, `/api/users/${bob.id}`, {
        token: alice.token,
        json: { displayName: 'pwned' },
        unchecked: true,
      });
      assert.equal(response.status, 404, method);
    }
    const bobNow = await service.api.get('/api/users/me', { token: bob.token });
    assert.equal(bobNow.body['displayName'], 'Bob Builder');
  });

  it('When an admin reads any user, then they get the profile', async () => {
    const response = await service.api.get(`/api/users/${bob.id}`, { token: adminToken });
    assert.equal(response.status, 200);
    assert.equal(response.body['email'], bob.email);
  });

  it('When an admin lists users, then pages follow the cursor and q searches names and emails', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: Record<string, unknown> } = await service.api.get(
        `/api/users?limit=1${cursor === null ? '' : `&cursor=${cursor}`}`,
        { token: adminToken },
      );
      assert.equal(page.status, 200);
      seen.push(...(page.body['items'] as Array<{ id: string }>).map((item) => item.id));
      cursor = page.body['nextCursor'] as string | null;
    } while (cursor !== null && seen.length < 10);
    assert.deepEqual(seen, [alice.id, bob.id].sort());

    const byName = await service.api.get('/api/users?q=LIDDELL', { token: adminToken });
    assert.deepEqual(
      (byName.body['items'] as Array<{ id: string }>).map((item) => item.id),
      [alice.id],
    );
    const byEmail = await service.api.get(`/api/users?q=${encodeURIComponent(bob.email)}`, {
      token: adminToken,
    });
    assert.deepEqual(
      (byEmail.body['items'] as Array<{ id: string }>).map((item) => item.id),
      [bob.id],
    );
    // Regular-expression syntax is searched for literally, not interpreted.
    const regex = await service.api.get('/api/users?q=.*', { token: adminToken });
    assert.deepEqual(regex.body['items'], []);
    const badCursor = await service.api.get('/api/users?cursor=%%%', { token: adminToken });
    assert.equal(badCursor.status, 400);
  });

  it('When a non-admin lists users, then it is a 403', async () => {
    const response = await service.api.get('/api/users', { token: alice.token });
    assert.equal(response.status, 403);
  });

  it('When a service with users:read asks for a contact, then it gets email and preferences; others get 403', async () => {
    const notification = await environment.auth.serviceToken(CONTACT_CLIENT);
    const contact = await service.api.get(`/api/users/${bob.id}/contact`, { token: notification });
    assert.equal(contact.status, 200);
    assert.deepEqual(contact.body, {
      id: bob.id,
      email: bob.email,
      displayName: 'Bob Builder',
      locale: null,
      timezone: null,
      notificationPrefs: { email: true, inApp: true },
    });
    const unknown = await service.api.get(`/api/users/${randomUUID()}/contact`, {
      token: notification,
    });
    assert.equal(unknown.status, 404);

    const reporting = await environment.auth.serviceToken(OTHER_CLIENT);
    for (const token of [reporting, alice.token]) {
      const refused = await service.api.get(`/api/users/${bob.id}/contact`, { token });
      assert.equal(refused.status, 403);
    }
    // Service tokens have no profile of their own.
    assert.equal((await service.api.get('/api/users/me', { token: notification })).status, 403);
  });

  it("When a deleted user's contact is asked for, then it is a 404 unless includeDeleted=true", async () => {
    const notification = await environment.auth.serviceToken(CONTACT_CLIENT);
    const carol = await environment.auth.register('Carol Gone');
    await service.users.profiles.registered(carol);
    assert.equal((await service.api.delete('/api/users/me', { token: carol.token })).status, 204);

    const hidden = await service.api.get(`/api/users/${carol.id}/contact`, { token: notification });
    assert.equal(hidden.status, 404);
    const included = await service.api.get(`/api/users/${carol.id}/contact?includeDeleted=true`, {
      token: notification,
    });
    assert.equal(included.status, 200);
    assert.equal(included.body['email'], carol.email);
    assert.equal(typeof included.body['deletedAt'], 'string');
    const live = await service.api.get(`/api/users/${bob.id}/contact?includeDeleted=true`, {
      token: notification,
    });
    assert.equal(live.body['deletedAt'], undefined);
    const bad = await service.api.get(`/api/users/${bob.id}/contact?includeDeleted=yes`, {
      token: notification,
    });
    assert.equal(bad.status, 400);
  });

  it('When ids or queries are hostile, then they are refused or harmless, never a 500', async () => {
    const longId = await service.api.get(`/api/users/${'a'.repeat(300)}`, { token: adminToken });
    assert.equal(longId.status, 400);
    const operator = await service.api.get(`/api/users/${encodeURIComponent('{"$gt":""}')}`, {
      token: adminToken,
    });
    assert.equal(operator.status, 404);
    // Bracketed keys are not parsed into operators: an unknown parameter, ignored.
    const bracketed = await service.api.get('/api/users?q[$ne]=x', { token: adminToken });
    assert.equal(bracketed.status, 200);
    const repeated = await service.api.get('/api/users?q=a&q=b', { token: adminToken });
    assert.equal(repeated.status, 400);
  });

  it('When a request has no token or a forged one, then it is a 401 problem', async () => {
    assert.equal((await service.api.get('/api/users/me')).status, 401);
    const [header, payload] = alice.token.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    const response = await service.api.get('/api/users/me', { token: forged });
    assert.equal(response.status, 401);
    assert.equal(response.body['type'], 'about:blank');
  });
});

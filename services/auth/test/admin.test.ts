import assert from 'node:assert/strict';
import pg from 'pg';
import { createTestEnvironment, newAccount, startAuth } from './support/auth-under-test.ts';
import type { AuthUnderTest, TestEnvironment } from './support/auth-under-test.ts';

const ADMIN = { email: 'Root@Example.com', password: 'admin password of some length' };

type User = { id: string; email: string; roles: string[] };
type Page = { items: User[]; next_cursor: string | null };

describe('admin: bootstrap account, user listing, roles', () => {
  let environment: TestEnvironment;
  let service: AuthUnderTest;
  let adminToken: string;
  let userToken: string;

  before(async () => {
    environment = await createTestEnvironment();
    const admin = { AUTH_ADMIN_EMAIL: ADMIN.email, AUTH_ADMIN_PASSWORD: ADMIN.password };
    // Three replicas race to create the admin; a later restart finds it there.
    const replicas = await Promise.all([1, 2, 3].map(() => startAuth(environment, admin)));
    await Promise.all(replicas.map((replica) => replica.stop()));
    service = await startAuth(environment, admin);
    const login = await service.api.post('/api/auth/login', {
      email: 'root@example.com',
      password: ADMIN.password,
    });
    adminToken = String(login.body['access_token']);
    const account = newAccount();
    await service.api.post('/api/auth/register', account);
    userToken = String((await service.api.post('/api/auth/login', account)).body['access_token']);
  });
  after(async () => {
    await service?.stop();
    await environment?.dispose();
  });

  it('When several replicas start with AUTH_ADMIN_*, then exactly one admin account exists', async () => {
    const db = new pg.Client({ connectionString: environment.database.url });
    await db.connect();
    try {
      const admins = await db.query<{ email: string }>(
        `SELECT email FROM users WHERE 'admin' = ANY(roles)`,
      );
      assert.deepEqual(admins.rows, [{ email: 'root@example.com' }]);
    } finally {
      await db.end();
    }
    const me = await service.api.get<User>('/api/auth/me', { token: adminToken });
    assert.deepEqual(me.body.roles, ['user', 'admin']);
  });

  it('When an admin pages through the users, then every user appears once, in creation order', async () => {
    const created: string[] = [];
    for (let index = 0; index < 5; index += 1) {
      const response = await service.api.post<User>('/api/auth/register', newAccount());
      created.push(response.body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string =
        cursor === null ? '?limit=2' : `?limit=2&cursor=${encodeURIComponent(cursor)}`;
      const page = await service.api.get<Page>(`/api/auth/users${query}`, { token: adminToken });
      assert.equal(page.status, 200);
      assert.ok(page.body.items.length <= 2);
      seen.push(...page.body.items.map((user) => user.id));
      cursor = page.body.next_cursor;
      pages += 1;
    } while (cursor !== null && pages < 20);
    assert.equal(new Set(seen).size, seen.length);
    assert.deepEqual(seen.slice(-5), created);
    assert.equal(seen.length, 7); // the admin, the user from before(), and these five
  });

  it('When the cursor or limit is not valid, then 400', async () => {
    const badCursor = await service.api.get('/api/auth/users?cursor=bm9wZQ', { token: adminToken });
    assert.equal(badCursor.status, 400);
    const badLimit = await service.api.get('/api/auth/users?limit=1000', { token: adminToken });
    assert.equal(badLimit.status, 400);
  });

  it("When an admin replaces a user's roles, then the account and its next tokens carry them", async () => {
    const account = newAccount();
    const registered = await service.api.post<User>('/api/auth/register', account);
    const updated = await service.api.put<User>(
      `/api/auth/users/${registered.body.id}/roles`,
      { roles: ['user', 'editor', 'editor'] },
      { token: adminToken },
    );
    assert.equal(updated.status, 200);
    assert.deepEqual(updated.body.roles, ['editor', 'user']);
    const login = await service.api.post('/api/auth/login', account);
    const me = await service.api.get<User>('/api/auth/me', {
      token: String(login.body['access_token']),
    });
    assert.deepEqual(me.body.roles, ['editor', 'user']);
  });

  it('When the user does not exist or the role is malformed, then 404 and 400', async () => {
    const missing = await service.api.put(
      '/api/auth/users/00000000-0000-4000-8000-000000000000/roles',
      { roles: ['user'] },
      { token: adminToken },
    );
    assert.equal(missing.status, 404);
    const malformed = await service.api.put(
      '/api/auth/users/00000000-0000-4000-8000-000000000000/roles',
      { roles: ['Admin Role'] },
      { token: adminToken },
    );
    assert.equal(malformed.status, 400);
  });

  it('When a plain user calls the admin routes, then 403 each time', async () => {
    const list = await service.api.get('/api/auth/users', { token: userToken });
    const roles = await service.api.put(
      '/api/auth/users/00000000-0000-4000-8000-000000000000/roles',
      { roles: ['admin'] },
      { token: userToken },
    );
    const rotate = await service.api.post('/api/auth/keys/rotate', undefined, { token: userToken });
    assert.deepEqual([list.status, roles.status, rotate.status], [403, 403, 403]);
  });

  it('When an anonymous caller calls the admin routes, then 401 each time', async () => {
    const list = await service.api.get('/api/auth/users');
    const roles = await service.api.put(
      '/api/auth/users/00000000-0000-4000-8000-000000000000/roles',
      {
        roles: ['admin'],
      },
    );
    const rotate = await service.api.post('/api/auth/keys/rotate');
    assert.deepEqual([list.status, roles.status, rotate.status], [401, 401, 401]);
  });
});

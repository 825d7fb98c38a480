import assert from 'node:assert/strict';
import pg from 'pg';
import { createTestEnvironment, newAccount, startAuth } from './support/auth-under-test.ts';
import type { AuthUnderTest, TestEnvironment } from './support/auth-under-test.ts';

const SQL = `'; DROP TABLE users; --`;
const ADMIN = { email: 'admin@example.com', password: 'admin password of some length' };

describe('hostile input: SQL metacharacters, oversized, mistyped and malformed bodies', () => {
  let environment: TestEnvironment;
  let service: AuthUnderTest;
  let adminToken: string;

  before(async () => {
    environment = await createTestEnvironment();
    service = await startAuth(environment, {
      BODY_LIMIT: '4kb',
      AUTH_ADMIN_EMAIL: ADMIN.email,
      AUTH_ADMIN_PASSWORD: ADMIN.password,
    });
    adminToken = String((await service.api.post('/api/auth/login', ADMIN)).body['access_token']);
  });
  after(async () => {
    await service?.stop();
    await environment?.dispose();
  });

  it('When every field carries SQL metacharacters, then they are stored and returned verbatim and the tables survive', async () => {
    const account = {
      // As many metacharacters as an email may hold: ' and _ (a LIKE wildcard).
      email: `o'brien+_x@example.com`,
      name: `Robert${SQL} "x" \\ % _ $1`,
      password: `pa$$'word"${SQL}`,
    };
    const registered = await service.api.post('/api/auth/register', account);
    assert.equal(registered.status, 201);
    assert.equal(registered.body['name'], account.name.trim());
    assert.equal(registered.body['email'], account.email);

    const login = await service.api.post('/api/auth/login', account);
    assert.equal(login.status, 200);
    // Wildcards must not match other accounts: a LIKE-based lookup would let '_' match "'".
    const wildcard = await service.api.post('/api/auth/login', {
      email: 'o_brien+_x@example.com',
      password: account.password,
    });
    assert.equal(wildcard.status, 401);
    const injected = await service.api.post('/api/auth/login', {
      email: `x' OR '1'='1`,
      password: SQL,
    });
    assert.equal(injected.status, 401);

    const refresh = await service.api.post('/api/auth/refresh', { refresh_token: `x' OR '1'='1` });
    assert.equal(refresh.status, 401);
    const logout = await service.api.post('/api/auth/logout', { refresh_token: SQL });
    assert.equal(logout.status, 204);
    const cursor = await service.api.get(`/api/auth/users?cursor=${encodeURIComponent(SQL)}`, {
      token: adminToken,
    });
    assert.equal(cursor.status, 400);
    const roles = await service.api.put(
      `/api/auth/users/${encodeURIComponent(`1' OR '1'='1`)}/roles`,
      { roles: [SQL] },
      { token: adminToken },
    );
    assert.equal(roles.status, 400);
    const token = await service.api.post('/api/auth/token', {
      grant_type: 'client_credentials',
      client_id: SQL,
      client_secret: SQL,
      scope: SQL,
    });
    assert.equal(token.status, 401);

    const db = new pg.Client({ connectionString: environment.database.url });
    await db.connect();
    try {
      const stored = await db.query<{ name: string }>('SELECT name FROM users WHERE email = $1', [
        account.email,
      ]);
      assert.deepEqual(stored.rows, [{ name: account.name }]);
      const count = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
      assert.equal(count.rows[0]?.n, 2);
    } finally {
      await db.end();
    }
  });

  it('When a body is larger than the limit, then 413 problem+json', async () => {
    const response = await service.api.post(
      '/api/auth/register',
      newAccount({ name: 'x'.repeat(8 * 1024) }),
    );
    assert.equal(response.status, 413);
    assert.equal(response.body['status'], 413);
  });

  it('When a body is not JSON, then 415 problem+json', async () => {
    const response = await service.api.post('/api/auth/login', undefined, {
      rawBody: 'email=a@b.c&password=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(response.status, 415);
    assert.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  });

  it('When the JSON is malformed, then 400 problem+json', async () => {
    const response = await service.api.post('/api/auth/register', undefined, {
      rawBody: '{"email": "a@b.c", "password": ',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    assert.equal(response.body['title'], 'Bad Request');
  });

  it('When fields have the wrong types, then 400 naming each field', async () => {
    const response = await service.api.post('/api/auth/register', {
      email: 42,
      password: ['x'],
      name: null,
    });
    assert.equal(response.status, 400);
    const paths = (response.body['errors'] as { path: string }[]).map((error) => error.path).sort();
    assert.deepEqual(paths, ['email', 'name', 'password']);
  });
});

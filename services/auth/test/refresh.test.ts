import assert from 'node:assert/strict';
import { createTestEnvironment, newAccount, startAuth } from './support/auth-under-test.ts';
import type { AuthUnderTest, TestEnvironment } from './support/auth-under-test.ts';

type Tokens = { access_token: string; refresh_token: string };

async function loggedIn(service: AuthUnderTest): Promise<Tokens> {
  const account = newAccount();
  await service.api.post('/api/auth/register', account);
  const login = await service.api.post<Tokens>('/api/auth/login', account);
  assert.equal(login.status, 200);
  return login.body;
}

function refresh(service: AuthUnderTest, refreshToken: string) {
  return service.api.post<Tokens>('/api/auth/refresh', { refresh_token: refreshToken });
}

describe('refresh tokens: rotation, reuse detection, grace window, logout', () => {
  let environment: TestEnvironment;
  // Two instances on one database: one without a grace window, one with a generous one,
  // so "after the window" and "within the window" need no waiting.
  let strict: AuthUnderTest;
  let lenient: AuthUnderTest;

  before(async () => {
    environment = await createTestEnvironment();
    strict = await startAuth(environment, { REFRESH_GRACE_SEC: '0' });
    lenient = await startAuth(environment, { REFRESH_GRACE_SEC: '60' });
  });
  after(async () => {
    await strict?.stop();
    await lenient?.stop();
    await environment?.dispose();
  });

  it('When a refresh token is exchanged, then a new pair comes back and the new access token works', async () => {
    const first = await loggedIn(strict);
    const second = await refresh(strict, first.refresh_token);
    assert.equal(second.status, 200);
    assert.notEqual(second.body.refresh_token, first.refresh_token);
    assert.notEqual(second.body.access_token, first.access_token);
    const me = await strict.api.get('/api/auth/me', { token: second.body.access_token });
    assert.equal(me.status, 200);
    // The successor can itself be exchanged: the chain goes on.
    assert.equal((await refresh(strict, second.body.refresh_token)).status, 200);
  });

  it('When a spent refresh token is presented after the grace window, then it is refused and its whole family is revoked', async () => {
    const first = await loggedIn(strict);
    const second = await refresh(strict, first.refresh_token);
    assert.equal(second.status, 200);

    const replay = await refresh(strict, first.refresh_token);
    assert.equal(replay.status, 401);
    assert.equal(replay.body['error' as keyof Tokens], 'invalid_grant');
    // The legitimate successor dies with the family: the thief and the victim both log in again.
    const successor = await refresh(strict, second.body.refresh_token);
    assert.equal(successor.status, 401);
  });

  it('When a spent refresh token is presented again within the grace window, then the retry gets a working pair and nothing is revoked', async () => {
    const first = await loggedIn(lenient);
    const second = await refresh(lenient, first.refresh_token);
    const retry = await refresh(lenient, first.refresh_token);
    assert.equal(second.status, 200);
    assert.equal(retry.status, 200);
    assert.notEqual(retry.body.refresh_token, second.body.refresh_token);
    assert.equal((await refresh(lenient, second.body.refresh_token)).status, 200);
    assert.equal((await refresh(lenient, retry.body.refresh_token)).status, 200);
  });

  it('When two refreshes of the same token race without a grace window, then exactly one wins and the family is revoked', async () => {
    const first = await loggedIn(strict);
    const results = await Promise.all([
      refresh(strict, first.refresh_token),
      refresh(strict, first.refresh_token),
    ]);
    const statuses = results.map((result) => result.status).sort();
    assert.deepEqual(statuses, [200, 401]);
    const winner = results.find((result) => result.status === 200);
    assert.equal((await refresh(strict, String(winner?.body.refresh_token))).status, 401);
  });

  it('When two refreshes of the same token race within the grace window, then both succeed', async () => {
    const first = await loggedIn(lenient);
    const results = await Promise.all([
      refresh(lenient, first.refresh_token),
      refresh(lenient, first.refresh_token),
    ]);
    assert.deepEqual(
      results.map((result) => result.status),
      [200, 200],
    );
  });

  it('When a user logs out, then 204 and every token of that login is refused', async () => {
    const first = await loggedIn(strict);
    const second = await refresh(strict, first.refresh_token);
    const logout = await strict.api.post('/api/auth/logout', {
      refresh_token: second.body.refresh_token,
    });
    assert.equal(logout.status, 204);
    assert.equal((await refresh(strict, second.body.refresh_token)).status, 401);
    // Logging out twice, or with an unknown token, is not an error.
    const again = await strict.api.post('/api/auth/logout', {
      refresh_token: second.body.refresh_token,
    });
    assert.equal(again.status, 204);
  });

  it('When a login is revoked, then other logins of the same user keep working', async () => {
    const account = newAccount();
    await strict.api.post('/api/auth/register', account);
    const laptop = await strict.api.post<Tokens>('/api/auth/login', account);
    const phone = await strict.api.post<Tokens>('/api/auth/login', account);
    await strict.api.post('/api/auth/logout', { refresh_token: laptop.body.refresh_token });
    assert.equal((await refresh(strict, phone.body.refresh_token)).status, 200);
  });

  it('When an unknown or malformed refresh token is presented, then it is refused with 401', async () => {
    assert.equal((await refresh(strict, 'A'.repeat(43))).status, 401);
    assert.equal((await refresh(strict, 'not a token')).status, 401);
  });
});

import assert from 'node:assert/strict';
import { createTestEnvironment, newAccount, startAuth } from './support/auth-under-test.ts';
import type { AuthUnderTest, TestEnvironment } from './support/auth-under-test.ts';

/** Simulates clients behind the gateway: the service trusts X-Forwarded-For from loopback. */
function from(address: string) {
  return { headers: { 'x-forwarded-for': address } };
}

describe('login throttling: per account and per client address (Redis)', () => {
  let environment: TestEnvironment;
  let replicaA: AuthUnderTest;
  let replicaB: AuthUnderTest;

  before(async () => {
    environment = await createTestEnvironment();
    const limits = {
      LOGIN_FAILURES_PER_ACCOUNT: '3',
      LOGIN_FAILURES_PER_ADDRESS: '6',
      LOGIN_FAILURE_WINDOW_SEC: '600',
      REGISTRATIONS_PER_ADDRESS: '20',
    };
    // Two replicas: the counters live in Redis, so spreading attempts over both doesn't help.
    replicaA = await startAuth(environment, limits);
    replicaB = await startAuth(environment, limits);
  });
  after(async () => {
    await replicaA?.stop();
    await replicaB?.stop();
    await environment?.dispose();
  });

  it('When an account has too many failed logins, then further attempts get 429 with Retry-After, even with the right password', async () => {
    const account = newAccount();
    await replicaA.api.post('/api/auth/register', account);
    const wrong = { email: account.email, password: 'wrong password guess' };
    const statuses: number[] = [];
    for (const [index, replica] of [replicaA, replicaB, replicaA].entries()) {
      statuses.push(
        (await replica.api.post('/api/auth/login', wrong, from(`10.1.0.${index}`))).status,
      );
    }
    assert.deepEqual(statuses, [401, 401, 401]);

    const blocked = await replicaB.api.post('/api/auth/login', account, from('10.1.0.9'));
    assert.equal(blocked.status, 429);
    const retryAfter = Number(blocked.headers.get('retry-after'));
    assert.ok(retryAfter > 0 && retryAfter <= 600, `Retry-After ${retryAfter}`);
    // Another account is not affected.
    const other = newAccount();
    await replicaA.api.post('/api/auth/register', other);
    assert.equal((await replicaA.api.post('/api/auth/login', other, from('10.1.0.9'))).status, 200);
  });

  it('When one address fails against many accounts, then that address gets 429 and other addresses do not', async () => {
    const attacker = from('10.2.0.1');
    const statuses: number[] = [];
    for (let index = 0; index < 7; index += 1) {
      const guess = { email: newAccount().email, password: 'password guess 123' };
      const replica = index % 2 === 0 ? replicaA : replicaB;
      statuses.push((await replica.api.post('/api/auth/login', guess, attacker)).status);
    }
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 401, 429]);

    const account = newAccount();
    await replicaA.api.post('/api/auth/register', account);
    assert.equal((await replicaA.api.post('/api/auth/login', account, attacker)).status, 429);
    assert.equal(
      (await replicaA.api.post('/api/auth/login', account, from('10.2.0.2'))).status,
      200,
    );
  });

  it('When one address registers too many accounts, then it gets 429 with Retry-After and others do not', async () => {
    const statuses: number[] = [];
    for (let index = 0; index < 21; index += 1) {
      const replica = index % 2 === 0 ? replicaA : replicaB;
      const response = await replica.api.post('/api/auth/register', newAccount(), from('10.3.0.1'));
      statuses.push(response.status);
    }
    assert.deepEqual(
      statuses.slice(0, 20),
      Array.from({ length: 20 }, () => 201),
    );
    assert.equal(statuses[20], 429);
    const blocked = await replicaA.api.post('/api/auth/register', newAccount(), from('10.3.0.1'));
    assert.ok(Number(blocked.headers.get('retry-after')) > 0);
    assert.equal(
      (await replicaA.api.post('/api/auth/register', newAccount(), from('10.3.0.2'))).status,
      201,
    );
  });
});

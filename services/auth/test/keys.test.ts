import { createTestDatabase } from '@shoal/testbed';
import assert from 'node:assert/strict';
import { createTokenVerifier } from '@shoal/kit';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { KeyEncryption } from '../src/domain/key-encryption.ts';
import { SigningKeyRing } from '../src/domain/signing-key-ring.ts';
import { migrate } from '../src/store/migrations.ts';
import { PgAuthStore } from '../src/store/pg-auth-store.ts';
import { createTestEnvironment, newAccount, startAuth } from './support/auth-under-test.ts';
import type { AuthUnderTest, TestEnvironment } from './support/auth-under-test.ts';

const ADMIN = { email: 'admin@example.com', password: 'admin password of some length' };

async function accessToken(service: AuthUnderTest, account: { email: string; password: string }) {
  const login = await service.api.post('/api/auth/login', account);
  assert.equal(login.status, 200);
  return String(login.body['access_token']);
}

function kidOf(token: string): string | undefined {
  return jwt.decode(token, { complete: true })?.header.kid;
}

describe('signing keys: JWKS, verification through the kit, rotation', () => {
  let environment: TestEnvironment;
  let replicaA: AuthUnderTest;
  let replicaB: AuthUnderTest;

  before(async () => {
    environment = await createTestEnvironment();
    const admin = { AUTH_ADMIN_EMAIL: ADMIN.email, AUTH_ADMIN_PASSWORD: ADMIN.password };
    // Two replicas starting together on an empty database: one key, one admin between them.
    [replicaA, replicaB] = await Promise.all([
      startAuth(environment, admin),
      startAuth(environment, admin),
    ]);
  });
  after(async () => {
    await replicaA?.stop();
    await replicaB?.stop();
    await environment?.dispose();
  });

  it('When /api/auth/openapi.json is fetched, then it serves the contract the tests check against', async () => {
    const response = await replicaA.api.get('/api/auth/openapi.json', { unchecked: true });
    assert.equal(response.status, 200);
    const paths = Object.keys((response.body as { paths: Record<string, unknown> }).paths);
    assert.ok(paths.includes('/api/auth/login'), `paths: ${paths.join(', ')}`);
  });

  it('When two replicas start on an empty database, then they share exactly one signing key', async () => {
    const [a, b] = await Promise.all([
      replicaA.api.get<{ keys: { kid: string }[] }>('/api/auth/.well-known/jwks.json'),
      replicaB.api.get<{ keys: { kid: string }[] }>('/api/auth/.well-known/jwks.json'),
    ]);
    assert.equal(a.body.keys.length, 1);
    assert.deepEqual(a.body, b.body);
    assert.match(String(a.headers.get('cache-control')), /^public, max-age=\d+$/);
  });

  it('When another service verifies a token with the kit (JWKS over HTTP), then it accepts it', async () => {
    const account = newAccount();
    const registered = await replicaA.api.post('/api/auth/register', account);
    const verify = createTokenVerifier({
      jwksUrl: `${replicaB.url}/api/auth/.well-known/jwks.json`,
      issuer: 'shoal-auth',
      audience: 'shoal',
    });
    const caller = await verify(await accessToken(replicaA, account));
    assert.equal(caller.sub, registered.body['id']);
    assert.deepEqual(caller.roles, ['user']);
  });

  it('When an admin rotates the key, then new tokens use the new key and tokens signed before stay valid', async () => {
    const account = newAccount();
    await replicaA.api.post('/api/auth/register', account);
    const verify = createTokenVerifier({
      jwksUrl: `${replicaA.url}/api/auth/.well-known/jwks.json`,
      issuer: 'shoal-auth',
      audience: 'shoal',
    });
    const before = await accessToken(replicaA, account);
    await verify(before); // the verifier now caches the JWKS with the old key only

    const rotated = await replicaA.api.post('/api/auth/keys/rotate', undefined, {
      token: await accessToken(replicaA, ADMIN),
    });
    assert.equal(rotated.status, 201);
    const after = await accessToken(replicaA, account);
    assert.equal(kidOf(after), rotated.body['kid']);
    assert.notEqual(kidOf(after), kidOf(before));

    const jwks = await replicaA.api.get<{ keys: { kid: string }[] }>(
      '/api/auth/.well-known/jwks.json',
    );
    assert.deepEqual(
      jwks.body.keys.map((key) => key.kid).sort(),
      [kidOf(before), kidOf(after)].sort(),
    );
    // The kit picks the new kid up by refetching; the old token still verifies everywhere.
    await verify(after);
    await verify(before);
    assert.equal((await replicaA.api.get('/api/auth/me', { token: before })).status, 200);
    // The other replica had cached the old key set: an unknown kid makes it look again.
    assert.equal((await replicaB.api.get('/api/auth/me', { token: after })).status, 200);
  });

  it('When a user or an anonymous caller asks to rotate keys, then 403 and 401', async () => {
    const account = newAccount();
    await replicaA.api.post('/api/auth/register', account);
    const asUser = await replicaA.api.post('/api/auth/keys/rotate', undefined, {
      token: await accessToken(replicaA, account),
    });
    assert.equal(asUser.status, 403);
    assert.equal((await replicaA.api.post('/api/auth/keys/rotate')).status, 401);
  });
});

describe('signing key ring: retention and sealing (domain against PostgreSQL)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  const encryption = new KeyEncryption(Buffer.alloc(32, 7));

  before(async () => {
    database = await createTestDatabase('auth');
    pool = new pg.Pool({ connectionString: database.url, max: 3 });
    await migrate(pool);
  });
  after(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('When a retired key outlives the retention, then it leaves the JWKS, not before', async () => {
    let now = new Date('2030-01-01T00:00:00Z');
    const store = new PgAuthStore(pool, async () => {});
    const ring = new SigningKeyRing({
      store,
      encryption,
      retentionMs: 60_000,
      cacheMs: 0,
      now: () => now,
    });
    await ring.ensureKey();
    const [original] = await ring.publishedKeys();
    await ring.rotate();
    now = new Date(now.getTime() + 59_000);
    assert.equal((await ring.publishedKeys()).length, 2);
    assert.ok(await ring.publicKey(String(original?.kid)));
    now = new Date(now.getTime() + 2_000);
    const remaining = await ring.publishedKeys();
    assert.equal(remaining.length, 1);
    assert.notEqual(remaining[0]?.kid, original?.kid);
    assert.equal(await ring.publicKey(String(original?.kid)), undefined);
  });

  it('When the private keys are read with another key-encryption key, then signing fails loudly', async () => {
    const store = new PgAuthStore(pool, async () => {});
    const sealedRow = await pool.query<{ private_key_sealed: string }>(
      'SELECT private_key_sealed FROM signing_keys WHERE retired_at IS NULL',
    );
    assert.doesNotMatch(String(sealedRow.rows[0]?.private_key_sealed), /PRIVATE KEY/);
    const wrong = new SigningKeyRing({
      store,
      encryption: new KeyEncryption(Buffer.alloc(32, 8)),
      retentionMs: 60_000,
      cacheMs: 0,
    });
    await assert.rejects(wrong.activeKey(), /key-encryption key differs/);
  });
});

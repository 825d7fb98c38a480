import assert from 'node:assert/strict';
import pg from 'pg';
import {
  OWASP_SCRYPT_PARAMS,
  PasswordHasher,
  parseScryptParams,
} from '../src/domain/password-hasher.ts';
import { createTestEnvironment, newAccount, startAuth } from './support/auth-under-test.ts';
import type { TestEnvironment } from './support/auth-under-test.ts';

async function storedHash(environment: TestEnvironment, email: string): Promise<string> {
  const db = new pg.Client({ connectionString: environment.database.url });
  await db.connect();
  try {
    const result = await db.query<{ password_hash: string }>(
      'SELECT password_hash FROM users WHERE email = $1',
      [email],
    );
    return String(result.rows[0]?.password_hash);
  } finally {
    await db.end();
  }
}

describe('passwords: scrypt hashes that name their parameters', () => {
  let environment: TestEnvironment;

  before(async () => {
    environment = await createTestEnvironment();
  });
  after(async () => {
    await environment?.dispose();
  });

  it('When the service runs with its default parameters, then it stores OWASP scrypt hashes and logs users in with them', async () => {
    const service = await startAuth(environment, { PASSWORD_SCRYPT_PARAMS: '' }); // unset: default
    try {
      assert.deepEqual(service.config.PASSWORD_SCRYPT_PARAMS, OWASP_SCRYPT_PARAMS);
      const account = newAccount();
      assert.equal((await service.api.post('/api/auth/register', account)).status, 201);
      assert.match(
        await storedHash(environment, account.email),
        /^scrypt\$N=131072,r=8,p=1\$[\w-]{22}\$[\w-]{43}$/,
      );
      assert.equal((await service.api.post('/api/auth/login', account)).status, 200);
      assert.equal(
        (await service.api.post('/api/auth/login', { ...account, password: 'wrong password!!' }))
          .status,
        401,
      );
    } finally {
      await service.stop();
    }
  });

  it('When a user logs in whose hash has older parameters, then the hash is upgraded and the password still works', async () => {
    const old = await startAuth(environment, { PASSWORD_SCRYPT_PARAMS: 'N=1024,r=8,p=1' });
    const account = newAccount();
    try {
      await old.api.post('/api/auth/register', account);
    } finally {
      await old.stop();
    }
    const before = await storedHash(environment, account.email);
    assert.match(before, /^scrypt\$N=1024,r=8,p=1\$/);

    const upgraded = await startAuth(environment, { PASSWORD_SCRYPT_PARAMS: 'N=4096,r=8,p=2' });
    try {
      assert.equal((await upgraded.api.post('/api/auth/login', account)).status, 200);
      const after = await storedHash(environment, account.email);
      assert.match(after, /^scrypt\$N=4096,r=8,p=2\$/);
      assert.equal((await upgraded.api.post('/api/auth/login', account)).status, 200);
      // A failed login never rewrites the hash.
      await upgraded.api.post('/api/auth/login', { ...account, password: 'wrong password!!' });
      assert.equal(await storedHash(environment, account.email), after);
    } finally {
      await upgraded.stop();
    }
  });
});

describe('password hasher (unit)', () => {
  const hasher = new PasswordHasher({ N: 1024, r: 8, p: 1 });

  it('When the same password is hashed twice, then the salts differ and both verify', async () => {
    const [a, b] = await Promise.all([hasher.hash('same password'), hasher.hash('same password')]);
    assert.notEqual(a, b);
    assert.deepEqual(await hasher.verify('same password', a), {
      matches: true,
      needsRehash: false,
    });
    assert.deepEqual(await hasher.verify('other password', b), {
      matches: false,
      needsRehash: false,
    });
  });

  it('When a password differs only in Unicode normalisation, then it still matches', async () => {
    const composed = await hasher.hash('caf\u00e9 au lait!');
    assert.equal((await hasher.verify('cafe\u0301 au lait!', composed)).matches, true);
  });

  it('When a stored hash is malformed, then verification throws instead of passing', async () => {
    await assert.rejects(hasher.verify('x', 'plain-text-password'), /scrypt\$params\$salt\$hash/);
    await assert.rejects(
      hasher.verify('x', 'scrypt$N=1000,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA'),
      /power of two/,
    );
  });

  it('When parameters are malformed, then parsing names the problem', () => {
    assert.deepEqual(parseScryptParams('N=16384,r=8,p=1'), { N: 16384, r: 8, p: 1 });
    assert.throws(() => parseScryptParams('N=16384,r=8'), /name N, r and p/);
    assert.throws(() => parseScryptParams('N=3,r=8,p=1'), /power of two/);
    assert.throws(() => parseScryptParams('cost=high'), /look like/);
  });

  it('When the email is unknown, then the dummy verification fails without throwing', async () => {
    assert.equal(await hasher.verifyAgainstDummy('any password'), false);
  });
});

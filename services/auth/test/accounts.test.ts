import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import type { JwtPayload } from 'jsonwebtoken';
import { createTestEnvironment, newAccount, startAuth } from './support/auth-under-test.ts';
import type { AuthUnderTest, TestEnvironment } from './support/auth-under-test.ts';

describe('accounts: register, login, me', () => {
  let environment: TestEnvironment;
  let service: AuthUnderTest;

  before(async () => {
    environment = await createTestEnvironment();
    service = await startAuth(environment);
  });
  after(async () => {
    await service?.stop();
    await environment?.dispose();
  });

  it('When a user registers, then the account is created with a trimmed, lower-cased email and the user role', async () => {
    const account = newAccount();
    const response = await service.api.post('/api/auth/register', {
      ...account,
      email: `  ${account.email.toUpperCase()} `,
    });
    assert.equal(response.status, 201);
    assert.equal(response.body['email'], account.email);
    assert.equal(response.body['name'], 'Test User');
    assert.deepEqual(response.body['roles'], ['user']);
    assert.equal(
      response.headers.get('location'),
      `/api/auth/users/${String(response.body['id'])}`,
    );
  });

  it('When an email is registered twice (in any case), then the second gets 409', async () => {
    const account = newAccount();
    assert.equal((await service.api.post('/api/auth/register', account)).status, 201);
    const again = await service.api.post('/api/auth/register', {
      ...account,
      email: account.email.toUpperCase(),
    });
    assert.equal(again.status, 409);
    assert.equal(again.headers.get('content-type'), 'application/problem+json; charset=utf-8');
  });

  it('When the password is shorter than 12 or longer than 256 characters, then registration is refused with the field named', async () => {
    for (const password of ['x'.repeat(11), 'x'.repeat(257)]) {
      const response = await service.api.post('/api/auth/register', newAccount({ password }));
      assert.equal(response.status, 400);
      const errors = response.body['errors'] as { path: string }[];
      assert.deepEqual(
        errors.map((error) => error.path),
        ['password'],
      );
    }
    // 12 characters counted as characters, not bytes: 12 emoji are fine.
    const emoji = await service.api.post(
      '/api/auth/register',
      newAccount({ password: '🔑'.repeat(12) }),
    );
    assert.equal(emoji.status, 201);
    const longest = await service.api.post(
      '/api/auth/register',
      newAccount({ password: 'x'.repeat(256) }),
    );
    assert.equal(longest.status, 201);
  });

  it('When the email is not an email, then registration is refused with 400', async () => {
    const response = await service.api.post(
      '/api/auth/register',
      newAccount({ email: 'not-an-email' }),
    );
    assert.equal(response.status, 400);
  });

  it('When a user logs in, then they get an RS256 access token with every documented claim and a refresh token', async () => {
    const account = newAccount();
    const registered = await service.api.post('/api/auth/register', account);
    const login = await service.api.post('/api/auth/login', {
      email: account.email,
      password: account.password,
    });
    assert.equal(login.status, 200);
    assert.equal(login.headers.get('cache-control'), 'no-store');
    assert.equal(login.body['token_type'], 'Bearer');
    assert.equal(login.body['expires_in'], 900);
    const decoded = jwt.decode(String(login.body['access_token']), { complete: true });
    assert.ok(decoded !== null);
    assert.equal(decoded.header.alg, 'RS256');
    assert.equal(typeof decoded.header.kid, 'string');
    const claims = decoded.payload as JwtPayload;
    assert.equal(claims.iss, 'shoal-auth');
    assert.equal(claims.aud, 'shoal');
    assert.equal(claims.sub, registered.body['id']);
    assert.deepEqual(claims['roles'], ['user']);
    assert.equal(claims['scope'], '');
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 900);
    assert.match(String(claims.jti), /^[0-9a-f-]{36}$/);
    assert.equal(typeof login.body['refresh_token'], 'string');
  });

  it('When the email is unknown or the password is wrong, then both get the same 401', async () => {
    const account = newAccount();
    await service.api.post('/api/auth/register', account);
    const wrongPassword = await service.api.post('/api/auth/login', {
      email: account.email,
      password: 'not the password at all',
    });
    const unknownEmail = await service.api.post('/api/auth/login', {
      email: newAccount().email,
      password: account.password,
    });
    assert.equal(wrongPassword.status, 401);
    assert.equal(unknownEmail.status, 401);
    assert.deepEqual(wrongPassword.body, unknownEmail.body);
  });

  it('When the caller presents its access token to /me, then it gets its account', async () => {
    const account = newAccount();
    const registered = await service.api.post('/api/auth/register', account);
    const login = await service.api.post('/api/auth/login', account);
    const me = await service.api.get('/api/auth/me', { token: String(login.body['access_token']) });
    assert.equal(me.status, 200);
    assert.deepEqual(me.body, registered.body);
  });

  it('When /me is called without a token or with a forged one, then it answers 401', async () => {
    const anonymous = await service.api.get('/api/auth/me');
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer');
    const forged = jwt.sign({ sub: 'x', roles: ['admin'] }, 'secret', { algorithm: 'HS256' });
    const rejected = await service.api.get('/api/auth/me', { token: forged });
    assert.equal(rejected.status, 401);
    assert.match(String(rejected.headers.get('www-authenticate')), /invalid_token/);
  });
});

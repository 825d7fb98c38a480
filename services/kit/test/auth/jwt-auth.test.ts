import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { jwtAuth } from '../../src/auth/jwt-auth.ts';
import { requireRole, requireScope } from '../../src/auth/guards.ts';
import { jwksFromKeys } from '../../src/auth/jwks-document.ts';
import { generateSigningKey, startJwksServer } from './jwks-server.ts';
import type { JwksServer, SigningKeyPair } from './jwks-server.ts';
import { serveApp } from './problem-app.ts';
import type { RunningApp } from './problem-app.ts';

const ISSUER = 'https://auth.shoal.test';
const AUDIENCE = 'shoal-api';

function base64url(value: object | Buffer): string {
  const buffer = Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value));
  return buffer.toString('base64url');
}

function sign(key: SigningKeyPair, claims: Record<string, unknown> = {}, expiresIn = 300): string {
  return jwt.sign(
    { sub: 'user-1', roles: ['member'], scope: 'users:read', ...claims },
    key.privateKey,
    {
      algorithm: 'RS256',
      keyid: key.kid,
      issuer: ISSUER,
      audience: AUDIENCE,
      expiresIn,
    },
  );
}

function claimsNow(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: 'user-1', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 300, ...extra };
  // An `undefined` override means "leave the claim out".
  return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined));
}

describe('auth: jwtAuth and guards against a real JWKS endpoint', () => {
  let current: SigningKeyPair;
  let jwks: JwksServer;
  let app: RunningApp;
  let optionalApp: RunningApp;

  before(async () => {
    current = generateSigningKey('key-1');
    jwks = await startJwksServer([current]);
    const auth = jwtAuth({ jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE });
    app = await serveApp((a) => {
      a.get('/me', auth, (req, res) => {
        res.json(req.auth);
      });
      a.get('/admin', auth, requireRole('admin', 'owner'), (_req, res) => {
        res.json({ ok: true });
      });
      a.get('/users', auth, requireScope('users:read'), (_req, res) => {
        res.json({ ok: true });
      });
      a.delete('/users', auth, requireScope('users:read', 'users:write'), (_req, res) => {
        res.json({ ok: true });
      });
    });
    const optional = jwtAuth({
      jwksUrl: jwks.url,
      issuer: ISSUER,
      audience: [AUDIENCE, 'other'],
      required: false,
    });
    optionalApp = await serveApp((a) => {
      a.get('/maybe', optional, (req, res) => {
        res.json({ anonymous: req.auth === undefined });
      });
      a.get('/guarded', optional, requireRole('member'), (_req, res) => {
        res.json({ ok: true });
      });
    });
  });

  after(async () => {
    await app.close();
    await optionalApp.close();
    await jwks.close();
  });

  async function call(path: string, authorization?: string, target = app, method = 'GET') {
    const response = await fetch(`${target.url}${path}`, {
      method,
      headers: authorization === undefined ? {} : { authorization },
    });
    const text = await response.text();
    return {
      status: response.status,
      challenge: response.headers.get('www-authenticate'),
      contentType: response.headers.get('content-type'),
      text,
      body: JSON.parse(text) as Record<string, unknown>,
    };
  }

  async function assertRejected(token: string, reason: string) {
    const res = await call('/me', `Bearer ${token}`);
    assert.equal(res.status, 401);
    assert.equal(res.challenge, `Bearer error="invalid_token", error_description="${reason}"`);
    assert.equal(res.body['detail'], reason);
    assert.match(res.contentType ?? '', /application\/problem\+json/);
    assert.ok(!res.text.includes(token), 'the token must never be echoed back');
  }

  it('When the token is valid, then req.auth carries sub, roles, scopes and claims', async () => {
    const res = await call(
      '/me',
      `Bearer ${sign(current, { scope: 'users:read users:write', tenant: 't1' })}`,
    );
    assert.equal(res.status, 200);
    assert.equal(res.body['sub'], 'user-1');
    assert.deepEqual(res.body['roles'], ['member']);
    assert.deepEqual(res.body['scope'], ['users:read', 'users:write']);
    assert.equal((res.body['claims'] as Record<string, unknown>)['tenant'], 't1');
  });

  it('When scopes come as an scp array and roles as a string, then both are normalised', async () => {
    const token = sign(current, { scope: undefined, scp: ['a', 'b'], roles: 'admin ops' });
    const res = await call('/me', `Bearer ${token}`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body['scope'], ['a', 'b']);
    assert.deepEqual(res.body['roles'], ['admin', 'ops']);
  });

  it('When the token has expired, then 401 "token expired"', async () => {
    await assertRejected(sign(current, {}, -120), 'token expired');
  });

  it('When the issuer is wrong, then 401 "wrong issuer"', async () => {
    const token = jwt.sign(claimsNow({ iss: 'https://evil.test' }), current.privateKey, {
      algorithm: 'RS256',
      keyid: current.kid,
    });
    await assertRejected(token, 'wrong issuer');
  });

  it('When the audience is wrong, then 401 "wrong audience"', async () => {
    const token = jwt.sign(claimsNow({ aud: 'someone-else' }), current.privateKey, {
      algorithm: 'RS256',
      keyid: current.kid,
    });
    await assertRejected(token, 'wrong audience');
  });

  it('When the token has no exp, then 401 "token has no expiry"', async () => {
    const token = jwt.sign(claimsNow({ exp: undefined }), current.privateKey, {
      algorithm: 'RS256',
      keyid: current.kid,
    });
    await assertRejected(token, 'token has no expiry');
  });

  it('When the token has no subject, then 401 "token has no subject"', async () => {
    const token = jwt.sign(claimsNow({ sub: undefined }), current.privateKey, {
      algorithm: 'RS256',
      keyid: current.kid,
    });
    await assertRejected(token, 'token has no subject');
  });

  it('When alg is none (unsigned), then 401 "unsupported algorithm"', async () => {
    const token = `${base64url({ alg: 'none', typ: 'JWT', kid: current.kid })}.${base64url(claimsNow())}.`;
    await assertRejected(token, 'unsupported algorithm');
  });

  it('When HS256 is signed with the RSA public key as HMAC secret, then 401 (algorithm confusion)', async () => {
    const secret = current.publicKey.export({ format: 'pem', type: 'spki' });
    const signingInput = `${base64url({ alg: 'HS256', typ: 'JWT', kid: current.kid })}.${base64url(claimsNow())}`;
    const mac = createHmac('sha256', secret).update(signingInput).digest();
    await assertRejected(`${signingInput}.${base64url(mac)}`, 'unsupported algorithm');
  });

  it('When the header claims RS256 but the signature is an HMAC, then 401 "invalid signature"', async () => {
    const secret = current.publicKey.export({ format: 'pem', type: 'spki' });
    const signingInput = `${base64url({ alg: 'RS256', typ: 'JWT', kid: current.kid })}.${base64url(claimsNow())}`;
    const mac = createHmac('sha256', secret).update(signingInput).digest();
    await assertRejected(`${signingInput}.${base64url(mac)}`, 'invalid signature');
  });

  it('When the payload was tampered with, then 401 "invalid signature"', async () => {
    const [head, , signature] = sign(current).split('.');
    const forged = `${head}.${base64url(claimsNow({ roles: ['admin'] }))}.${signature}`;
    await assertRejected(forged, 'invalid signature');
  });

  it('When a token is signed by an unknown kid and the JWKS then rotates to include it, then it is accepted after a refetch', async () => {
    const next = generateSigningKey('key-2');
    const token = sign(next);
    await assertRejected(token, 'unknown signing key');

    jwks.publish([current, next]);
    const before = jwks.fetches();
    const res = await call('/me', `Bearer ${token}`);
    assert.equal(res.status, 200);
    assert.ok(jwks.fetches() > before, 'the unknown kid should trigger a JWKS refetch');

    // Known kids are served from the cache.
    const cached = jwks.fetches();
    assert.equal((await call('/me', `Bearer ${sign(next)}`)).status, 200);
    assert.equal(jwks.fetches(), cached);
  });

  it('When the Authorization header is missing, then 401 with a bare Bearer challenge', async () => {
    const res = await call('/me');
    assert.equal(res.status, 401);
    assert.equal(res.challenge, 'Bearer');
    assert.equal(res.body['detail'], 'missing bearer token');
  });

  it('When the Authorization header is not "Bearer <token>", then 401 invalid_request', async () => {
    for (const header of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b', 'bearer']) {
      const res = await call('/me', header);
      assert.equal(res.status, 401, header);
      assert.equal(res.challenge, 'Bearer error="invalid_request"', header);
    }
  });

  it('When the bearer token is garbage, then 401 "malformed token"', async () => {
    await assertRejected('not-a-jwt', 'malformed token');
    await assertRejected('abc.def.ghi', 'malformed token');
  });

  it('When auth is optional and no token is sent, then the request passes anonymously', async () => {
    const res = await call('/maybe', undefined, optionalApp);
    assert.equal(res.status, 200);
    assert.equal(res.body['anonymous'], true);
  });

  it('When auth is optional but the token is invalid, then 401 all the same', async () => {
    const res = await call('/maybe', `Bearer ${sign(current, {}, -100)}`, optionalApp);
    assert.equal(res.status, 401);
  });

  it('When auth is optional and a guard meets an anonymous caller, then 401, not 403', async () => {
    const res = await call('/guarded', undefined, optionalApp);
    assert.equal(res.status, 401);
    assert.equal((await call('/guarded', `Bearer ${sign(current)}`, optionalApp)).status, 200);
  });

  it('When the caller lacks every required role, then 403; with any one of them, then 200', async () => {
    const denied = await call('/admin', `Bearer ${sign(current)}`);
    assert.equal(denied.status, 403);
    assert.equal(denied.body['detail'], 'requires role admin or owner');
    assert.equal(
      (await call('/admin', `Bearer ${sign(current, { roles: ['owner'] })}`)).status,
      200,
    );
  });

  it('When a scope is missing, then 403 insufficient_scope naming the scopes; with all, then 200', async () => {
    assert.equal((await call('/users', `Bearer ${sign(current)}`)).status, 200);
    const denied = await call('/users', `Bearer ${sign(current)}`, app, 'DELETE');
    assert.equal(denied.status, 403);
    assert.equal(
      denied.challenge,
      'Bearer error="insufficient_scope", scope="users:read users:write"',
    );
    assert.equal(denied.body['detail'], 'missing scope users:write');
    const allowed = await call(
      '/users',
      `Bearer ${sign(current, { scope: 'users:read users:write' })}`,
      app,
      'DELETE',
    );
    assert.equal(allowed.status, 200);
  });

  it('When the JWKS endpoint is unreachable, then 503 rather than 401', async () => {
    const unreachable = await startJwksServer([]);
    await unreachable.close();
    const down = await serveApp((a) => {
      a.get(
        '/me',
        jwtAuth({ jwksUrl: unreachable.url, issuer: ISSUER, audience: AUDIENCE }),
        (_req, res) => {
          res.json({});
        },
      );
    });
    try {
      const res = await call('/me', `Bearer ${sign(current)}`, down);
      assert.equal(res.status, 503);
      assert.equal(res.body['detail'], 'cannot verify tokens right now');
    } finally {
      await down.close();
    }
  });

  it('When guards or jwtAuth are misconfigured, then they throw at mount time', () => {
    assert.throws(() => requireRole(), /at least one role/);
    assert.throws(() => requireScope(), /at least one scope/);
    assert.throws(
      () => jwtAuth({ jwksUrl: jwks.url, issuer: ISSUER, audience: [] }),
      /audience must not be empty/,
    );
  });

  it('When jwksFromKeys gets a private key, then it refuses to publish it', () => {
    assert.throws(
      () => jwksFromKeys([{ kid: 'k', publicKey: current.privateKey }]),
      /RSA public key/,
    );
    const doc = jwksFromKeys([current]);
    assert.deepEqual(Object.keys(doc.keys[0] ?? {}).sort(), ['alg', 'e', 'kid', 'kty', 'n', 'use']);
  });
});

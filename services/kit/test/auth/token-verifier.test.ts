import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import jwt from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';
import { ParsedKeyCache } from '../../src/auth/parsed-key-cache.ts';
import { TokenRejectedError, createTokenVerifier } from '../../src/auth/token-verifier.ts';
import { generateSigningKey, startJwksServer } from './jwks-server.ts';
import type { JwksServer, SigningKeyPair } from './jwks-server.ts';

const ISSUER = 'https://auth.shoal.test';
const AUDIENCE = 'shoal-api';

function sign(key: SigningKeyPair, sub: string): string {
  return jwt.sign({ sub }, key.privateKey, {
    algorithm: 'RS256',
    keyid: key.kid,
    issuer: ISSUER,
    audience: AUDIENCE,
    expiresIn: 300,
  });
}

/** The reason a token is refused, or 'accepted'. */
async function outcome(verify: (token: string) => Promise<unknown>, token: string) {
  try {
    await verify(token);
    return 'accepted';
  } catch (error) {
    assert.ok(error instanceof TokenRejectedError, String(error));
    return error.message;
  }
}

describe('auth: createTokenVerifier keeps parsed keys only as long as the JWKS serves them', () => {
  let jwks: JwksServer;
  after(() => jwks.close());

  it('When many tokens of one kid are verified, then all are accepted and the JWKS is fetched once', async () => {
    const key = generateSigningKey('steady');
    jwks = await startJwksServer([key]);
    const verify = createTokenVerifier({ jwksUrl: jwks.url, issuer: ISSUER, audience: AUDIENCE });
    for (let i = 0; i < 50; i += 1) {
      assert.equal((await verify(sign(key, `user-${i}`))).sub, `user-${i}`);
    }
    assert.equal(jwks.fetches(), 1);
    await jwks.close();
  });

  it('When the issuer replaces the key behind a kid and the key cache expires, then the new key verifies and the old one no longer does', async () => {
    const old = generateSigningKey('reused-kid');
    jwks = await startJwksServer([old]);
    // A tiny key cache age: every verify after a pause refetches the JWKS.
    const verify = createTokenVerifier({
      jwksUrl: jwks.url,
      issuer: ISSUER,
      audience: AUDIENCE,
      keyCacheMaxAgeMs: 1,
      jwksRequestsPerMinute: 1000,
    });
    assert.equal(await outcome(verify, sign(old, 'a')), 'accepted');

    // Same kid, different key material: a cache keyed only by kid would keep the old key.
    const replacement = generateSigningKey('reused-kid');
    jwks.publish([replacement]);
    await sleep(20);
    const fetchesBefore = jwks.fetches();
    assert.equal(await outcome(verify, sign(replacement, 'b')), 'accepted');
    assert.ok(jwks.fetches() > fetchesBefore, 'the expired cache refetched the JWKS');
    await sleep(20);
    assert.equal(await outcome(verify, sign(old, 'c')), 'invalid signature');
  });
});

describe('auth: createTokenVerifier refuses malformed headers before any key lookup', () => {
  it('When the header is not a JSON object or its kid is not a string, then "malformed token" and no JWKS fetch', async () => {
    const server = await startJwksServer([generateSigningKey('k')]);
    try {
      const verify = createTokenVerifier({
        jwksUrl: server.url,
        issuer: ISSUER,
        audience: AUDIENCE,
      });
      const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
      const body = segment({ sub: 'x' });
      for (const token of [
        '',
        '.a.b',
        `${segment(['RS256'])}.${body}.sig`,
        `${segment('RS256')}.${body}.sig`,
        `${segment({ alg: 'RS256', kid: 7 })}.${body}.sig`,
        `${Buffer.from('{"alg":').toString('base64url')}.${body}.sig`,
      ]) {
        assert.equal(await outcome(verify, token), 'malformed token', JSON.stringify(token));
      }
      assert.equal(server.fetches(), 0);
    } finally {
      await server.close();
    }
  });
});

describe('auth: ParsedKeyCache', () => {
  it('When jwks-rsa serves the same SigningKey again, then the same KeyObject is reused; a refetched one is parsed anew', async () => {
    const key = generateSigningKey('k1');
    const server = await startJwksServer([key]);
    try {
      // Two clients stand for "before" and "after" a refetch: same kid, new SigningKey objects.
      const first = await new JwksClient({ jwksUri: server.url }).getSigningKey('k1');
      const refetched = await new JwksClient({ jwksUri: server.url }).getSigningKey('k1');
      const cache = new ParsedKeyCache();
      const parsed = cache.keyObjectOf('k1', first);
      assert.equal(parsed.type, 'public');
      assert.ok(parsed.equals(key.publicKey));
      assert.equal(cache.keyObjectOf('k1', first), parsed, 'served from the cache');
      const reparsed = cache.keyObjectOf('k1', refetched);
      assert.notEqual(reparsed, parsed, 'a refetched key is parsed again');
      assert.ok(reparsed.equals(key.publicKey));
    } finally {
      await server.close();
    }
  });
});

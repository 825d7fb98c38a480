import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import { startGateway } from './support/gateway-under-test.ts';
import type { GatewayUnderTest } from './support/gateway-under-test.ts';
import { httpCall } from './support/http-call.ts';
import {
  AUDIENCE,
  ISSUER,
  generateSigningKey,
  signToken,
  startJwksServer,
} from './support/signing-keys.ts';
import type { JwksServer, SigningKey } from './support/signing-keys.ts';
import { startUpstream } from './support/upstream-server.ts';
import type { Echo, Upstream } from './support/upstream-server.ts';

/** Two Ingresses on one upstream: /secure needs a token, /maybe takes one if given. */
function routes(upstream: string): string {
  const ingress = (name: string, path: string, auth: string): string => `---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${name}
  namespace: default
  annotations:
    shoal.dev/auth: ${auth}
spec:
  rules:
    - http:
        paths:
          - path: ${path}
            pathType: Prefix
            backend:
              service:
                name: echo
                port:
                  number: 80
`;
  return `apiVersion: gateway.shoal.dev/v1
kind: LocalBackends
backends:
  echo.default:80: ${upstream}
${ingress('secure', '/secure', 'required')}${ingress('maybe', '/maybe', 'optional')}`;
}

describe('JWT checks at the edge', () => {
  let upstream: Upstream;
  let jwks: JwksServer;
  let gateway: GatewayUnderTest;
  let key: SigningKey;
  let otherKey: SigningKey;

  before(async () => {
    key = generateSigningKey('key-1');
    otherKey = generateSigningKey('key-1'); // same kid, different key: a forger's guess
    upstream = await startUpstream();
    jwks = await startJwksServer([key]);
    gateway = await startGateway({
      routes: routes(upstream.url),
      env: { JWKS_URL: jwks.url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE },
    });
  });
  after(async () => {
    await gateway.stop();
    await jwks.close();
    await upstream.close();
  });

  const call = (path: string, authorization?: string) =>
    httpCall(`${gateway.url}${path}`, { headers: authorization ? { authorization } : {} });

  it('When a valid token is sent, then the request passes with the token forwarded untouched', async () => {
    const token = signToken(key);
    const res = await call('/secure/me', `Bearer ${token}`);
    assert.equal(res.status, 200);
    assert.equal(res.json<Echo>().headers.authorization, `Bearer ${token}`);
  });

  it('When a required route gets no token, then it is a 401 with a Bearer challenge and the upstream never sees it', async () => {
    const before = upstream.received.length;
    const res = await call('/secure/me');
    assert.equal(res.status, 401);
    assert.equal(res.headers['www-authenticate'], 'Bearer');
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    assert.equal(upstream.received.length, before);
  });

  it('When an optional route gets no token, then it passes anonymously', async () => {
    const res = await call('/maybe/x');
    assert.equal(res.status, 200);
  });

  const now = () => Math.floor(Date.now() / 1000);
  const attacks: [string, () => string][] = [
    ['an expired token', () => `Bearer ${signToken(key, { exp: now() - 120, iat: now() - 600 })}`],
    ['a token from another issuer', () => `Bearer ${signToken(key, { iss: 'evil' })}`],
    ['a token for another audience', () => `Bearer ${signToken(key, { aud: 'other' })}`],
    [
      'a token without exp',
      () =>
        `Bearer ${jwt.sign({ sub: 'u', iss: ISSUER, aud: AUDIENCE }, key.privateKey, { algorithm: 'RS256', keyid: key.kid })}`,
    ],
    [
      'an unsigned alg=none token',
      () => `Bearer ${unsigned({ sub: 'admin', iss: ISSUER, aud: AUDIENCE, exp: now() + 300 })}`,
    ],
    [
      'an HS256 token keyed with the public key (algorithm confusion)',
      () =>
        `Bearer ${hs256WithPublicKey(key, { sub: 'admin', iss: ISSUER, aud: AUDIENCE, exp: now() + 300 })}`,
    ],
    ['a token signed by another key under a known kid', () => `Bearer ${signToken(otherKey)}`],
    ['a token naming an unknown kid', () => `Bearer ${signToken({ ...otherKey, kid: 'nope' })}`],
    ['a truncated token', () => `Bearer ${signToken(key).slice(0, -10)}`],
    ['garbage', () => 'Bearer not.a.jwt'],
    ['a Basic credential', () => 'Basic dXNlcjpwYXNz'],
    ['a token with a changed payload', () => `Bearer ${tamper(signToken(key), { sub: 'admin' })}`],
  ];
  for (const [what, header] of attacks) {
    it(`When ${what} is sent, then the edge answers 401 and the upstream never sees it`, async () => {
      const before = upstream.received.length;
      for (const path of ['/secure/x', '/maybe/x']) {
        const res = await call(path, header());
        assert.equal(res.status, 401, path);
        assert.match(String(res.headers['www-authenticate']), /^Bearer/);
      }
      assert.equal(upstream.received.length, before);
    });
  }
});

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function unsigned(claims: Record<string, unknown>): string {
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(claims)}.`;
}

function hs256WithPublicKey(key: SigningKey, claims: Record<string, unknown>): string {
  const secret = key.publicKey.export({ type: 'spki', format: 'pem' });
  const header = base64url({ alg: 'HS256', typ: 'JWT', kid: key.kid });
  const body = `${header}.${base64url(claims)}`;
  const { createHmac } = process.getBuiltinModule('node:crypto');
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

function tamper(token: string, claims: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.');
  const decoded = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<
    string,
    unknown
  >;
  return `${header}.${base64url({ ...decoded, ...claims })}.${signature}`;
}

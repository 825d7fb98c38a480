// Hostile input: fields a caller must not set (mass assignment), bodies too big, malformed or
// of the wrong type, and headers that try to inject or to pass for the platform's own.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { ServiceName } from '../src/index.ts';
import type { GatewayClient } from '../journeys/support/gateway-client.ts';
import { contractOperations, describeOperation } from './support/contract-operations.ts';
import type { ContractOperation } from './support/contract-operations.ts';
import { decodeClaims } from './support/forged-tokens.ts';
import { registerPerson } from './support/people.ts';
import type { SecurityContext } from './support/security-context.ts';

/**
 * Sends raw bytes to `url`'s host and port and returns the first response: its head and a
 * Content-Length body, or whatever came before the server closed.
 */
async function rawExchange(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let received = '';
    const complete = (): boolean => {
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return false;
      const length = /\r\ncontent-length: *(\d+)/i.exec(received.slice(0, end))?.[1];
      return length !== undefined && received.length >= end + 4 + Number(length);
    };
    socket.setTimeout(10_000, () =>
      socket.destroy(new Error(`no full answer within 10 s: ${received}`)),
    );
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (complete()) {
        socket.destroy();
        resolve(received);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.write(request);
  });
}

/** The response headers of a raw HTTP response, lower-cased names. */
function rawHeaders(response: string): string[] {
  return (response.split('\r\n\r\n')[0] ?? '')
    .split('\r\n')
    .slice(1)
    .map((line) => line.toLowerCase());
}

/** The first operation of each service's contract that takes a JSON body (the probe). */
function jsonOperations(context: SecurityContext): ContractOperation[] {
  return context.platform.services.flatMap((service: ServiceName) => {
    const found = contractOperations(context.platform.repoRoot, service).find(
      (op) => op.jsonBody && op.pathParameters.length === 0,
    );
    return found === undefined ? [] : [found];
  });
}

/** The gateway and the service itself, for one operation. */
function ways(context: SecurityContext, operation: ContractOperation): [string, GatewayClient][] {
  return [
    ['gateway', context.api],
    ['direct', context.direct(operation.service)],
  ];
}

/** Declares the hostile-input specs. */
export function hostileInputSpecs(context: () => SecurityContext): void {
  describe('Hostile input', function () {
    it('When a user PATCHes roles, id, email or an unknown field into their profile, then each is 400 and nothing changes', async function () {
      const c = context();
      const before = await c.api.get('/api/users/me', { token: c.alice.accessToken });
      assert.equal(before.status, 200, before.text);
      for (const body of [
        { roles: ['admin'] },
        { role: 'admin' },
        { id: c.bob.id },
        { email: c.bob.email },
        { displayName: 'ok', isAdmin: true },
        { deletedAt: null },
      ]) {
        const response = await c.api.patch('/api/users/me', body, { token: c.alice.accessToken });
        assert.equal(response.status, 400, `${JSON.stringify(body)}: ${response.text}`);
        assert.match(response.headers.get('content-type') ?? '', /application\/problem\+json/);
      }
      const after = await c.api.get('/api/users/me', { token: c.alice.accessToken });
      assert.deepEqual(after.body, before.body);
    });

    it('When someone registers with roles or an id of their choosing, then the account is an ordinary user with an id of its own', async function () {
      const c = context();
      const chosenId = '00000000-0000-4000-8000-000000000001';
      const email = `mass-${Date.now()}@example.com`;
      const response = await c.api.post('/api/auth/register', {
        email,
        password: 'a mass assignment password',
        name: 'Mass',
        roles: ['admin'],
        id: chosenId,
      });
      if (response.status === 201) {
        assert.notEqual(response.body['id'], chosenId);
        const login = await c.api.post('/api/auth/login', {
          email,
          password: 'a mass assignment password',
        });
        c.ledger.add('access token', String(login.body['access_token']));
        c.ledger.add('refresh token', String(login.body['refresh_token']));
        assert.deepEqual(decodeClaims(String(login.body['access_token']))['roles'], ['user']);
      } else {
        assert.equal(response.status, 400, response.text);
      }
    });

    it('When a body is larger than the limit, then the gateway and each service answer 413', async function () {
      const c = context();
      const operations = jsonOperations(c);
      assert.ok(operations.length >= 3, 'several services take JSON bodies');
      // Past every route's gateway limit (at most 1 MiB) and the services' BODY_LIMIT (100kb).
      const huge = JSON.stringify({ padding: 'x'.repeat(1_200_000) });
      for (const operation of operations) {
        for (const [via, client] of ways(c, operation)) {
          const response = await client.call(operation.method, operation.path, undefined, {
            rawBody: huge,
            token: c.admin.accessToken,
          });
          assert.equal(
            response.status,
            413,
            `${via} ${describeOperation(operation)}: ${response.text}`,
          );
        }
      }
    });

    it('When a body is malformed JSON, then the gateway and each service answer 400 problem+json, without a stack', async function () {
      const c = context();
      for (const operation of jsonOperations(c)) {
        for (const [via, client] of ways(c, operation)) {
          for (const malformed of [
            '{"a":',
            '{"a": 1}}',
            '\u0000\u0001',
            '[1,2',
            '{"__proto__": {"admin": true}',
          ]) {
            const response = await client.call(operation.method, operation.path, undefined, {
              rawBody: malformed,
              token: c.admin.accessToken,
            });
            const what = `${via} ${describeOperation(operation)} ${JSON.stringify(malformed)}`;
            assert.equal(response.status, 400, `${what}: ${response.text}`);
            assert.match(response.headers.get('content-type') ?? '', /problem\+json/, what);
            assert.doesNotMatch(
              response.text,
              /\bat [\w.<>]+ \(|node:internal|\.ts:\d+/,
              `${what}: a stack trace`,
            );
          }
        }
      }
    });

    it('When a body comes as text/plain, XML or multipart, then the gateway and each service answer 415', async function () {
      const c = context();
      for (const operation of jsonOperations(c)) {
        for (const [via, client] of ways(c, operation)) {
          for (const type of ['text/plain', 'application/xml', 'multipart/form-data; boundary=x']) {
            const response = await client.call(operation.method, operation.path, undefined, {
              rawBody: '{"email":"a@b.c"}',
              token: c.admin.accessToken,
              headers: { 'content-type': type },
            });
            assert.equal(
              response.status,
              415,
              `${via} ${describeOperation(operation)} as ${type}: ${response.text}`,
            );
          }
        }
      }
    });

    it('When a header value carries a bare CR (an injection attempt), then the gateway answers 400 and no injected header comes back', async function () {
      const c = context();
      const response = await rawExchange(
        c.platform.gatewayUrl,
        'GET /api/auth/.well-known/jwks.json HTTP/1.1\r\nHost: a\r\n' +
          'X-Note: x\rSet-Cookie: injected=1\r\nConnection: close\r\n\r\n',
      );
      assert.match(response, /^HTTP\/1\.1 400 /);
      assert.ok(!rawHeaders(response).some((line) => line.startsWith('set-cookie')), response);
    });

    it('When a path carries an encoded CRLF and a header, then the answer is a 404 problem without that header', async function () {
      const c = context();
      const response = await rawExchange(
        c.platform.gatewayUrl,
        'GET /api/auth/x%0d%0aSet-Cookie:%20injected=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n',
      );
      assert.match(response, /^HTTP\/1\.1 404 /);
      assert.ok(!rawHeaders(response).some((line) => line.startsWith('set-cookie')), response);
    });

    it('When X-Request-Id is not a plain token, then the gateway replaces it rather than reflecting it', async function () {
      const c = context();
      const injected = 'abc"><script>alert(1)</script>';
      const response = await c.api.get('/api/auth/.well-known/jwks.json', {
        headers: { 'x-request-id': injected },
      });
      assert.equal(response.status, 200);
      const echoed = response.headers.get('x-request-id') ?? '';
      assert.notEqual(echoed, injected);
      assert.match(echoed, /^[A-Za-z0-9._-]{1,128}$/);
    });

    it('When a client spoofs X-Forwarded-For on each request, then the gateway still counts them all as one caller', async function () {
      const c = context();
      // The JWKS route has a per-address limit; distinct spoofed addresses must share one bucket.
      const remaining: number[] = [];
      for (const spoofed of ['10.1.1.1', '10.2.2.2', '192.0.2.77', '203.0.113.9']) {
        const response = await c.api.get('/api/auth/.well-known/jwks.json', {
          headers: {
            'x-forwarded-for': spoofed,
            'x-real-ip': spoofed,
            forwarded: `for=${spoofed}`,
          },
        });
        assert.equal(response.status, 200);
        remaining.push(Number(response.headers.get('ratelimit-remaining')));
      }
      assert.ok(remaining.every(Number.isFinite), `RateLimit-Remaining: ${remaining.join(', ')}`);
      for (let i = 1; i < remaining.length; i += 1) {
        assert.ok(
          (remaining[i] as number) < (remaining[i - 1] as number),
          `one bucket: ${remaining.join(', ')}`,
        );
      }
    });

    it('When a client sends X-Shoal-* headers, then the gateway drops them and returns none of its own', async function () {
      const c = context();
      // Headers that would pass for the platform's own identity headers, were any trusted.
      const response = await c.api.get('/api/users/me', {
        token: c.alice.accessToken,
        headers: { 'x-shoal-user': c.admin.id, 'x-shoal-roles': 'admin', 'x-shoal-internal': '1' },
      });
      assert.equal(response.status, 200);
      assert.equal(response.body['id'], c.alice.id, 'the caller is still Alice');
      const leaked = [...response.headers.keys()].filter((name) => name.startsWith('x-shoal-'));
      assert.deepEqual(leaked, []);
    });

    it('When a registration floods with a huge name or a control-character email, then it is a 400, not a 5xx', async function () {
      const c = context();
      for (const body of [
        { email: 'a\u0000b@example.com', password: 'long enough password', name: 'x' },
        { email: 'ok@example.com', password: 'long enough password', name: 'n'.repeat(10_000) },
        { email: ['array@example.com'], password: 'long enough password', name: 'x' },
        { email: 'x@example.com', password: { $gt: '' }, name: 'x' },
      ]) {
        const response = await c.api.post('/api/auth/register', body);
        assert.ok(
          response.status === 400 || response.status === 413,
          `${JSON.stringify(body).slice(0, 80)}: ${response.status}`,
        );
      }
      // And a person made afterwards still works: nothing was left half-written.
      const person = await registerPerson(c.api, c.ledger, 'after-flood');
      assert.ok(person.accessToken);
    });
  });
}

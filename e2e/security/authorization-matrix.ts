// Authorization matrices built from the contracts (services/*/openapi.yaml), so a route added to
// a contract is covered without touching this file:
// - anonymous: every bearer route is 401 without a token, through the gateway and directly;
// - function level: every bearer route is admin-only (403 for a user and for a service token)
//   unless listed below as a user's own route: default deny, a new user route must be listed;
// - BOLA: every route with a path parameter, called by Alice with Bob's resource, is 403/404,
//   leaks nothing of Bob and changes nothing of his.
import assert from 'node:assert/strict';
import type { ServiceName } from '../src/index.ts';
import type { ApiResponse, GatewayClient } from '../journeys/support/gateway-client.ts';
import { contractOperations, describeOperation } from './support/contract-operations.ts';
import type { ContractOperation } from './support/contract-operations.ts';
import type { SecurityContext } from './support/security-context.ts';

/** Routes an ordinary user may call (their own things); every other bearer route is admin-only. */
const USER_ROUTES = new Set([
  'GET /api/auth/me',
  'GET /api/users/me',
  'PATCH /api/users/me',
  'DELETE /api/users/me',
  'GET /api/users/{id}',
  'GET /api/notifications',
  'POST /api/notifications/{id}/read',
  'POST /api/notifications/read-all',
]);

/** Routes a service token reaches by scope (users:read, events:publish). */
const SERVICE_TOKEN_ROUTES = new Set(['GET /api/users/{id}/contact', 'POST /api/events']);

/** Routes that change the caller's own state: left out of sweeps that would disturb the run. */
const SELF_DESTRUCTIVE = new Set(['DELETE /api/users/me']);

/** A body that passes validation where one is needed, so a 400 cannot hide a missing 403. */
const VALID_BODIES: Record<string, unknown> = {
  // What Bob already has: the admin's control call must not promote him.
  'PUT /api/auth/users/{id}/roles': { roles: ['user'] },
  'POST /api/events': { type: 'integration.security.probe', subject: 'x', data: {} },
  // A window in 2000: nothing to replay, so the admin's control call changes nothing.
  'POST /api/events/replay': {
    subscription: 'reporting-events',
    from: '2000-01-01T00:00:00Z',
    to: '2000-01-01T00:00:01Z',
  },
  'POST /api/events/dead-letters/redrive': { subscription: 'reporting-events', limit: 1 },
  'PATCH /api/users/me': { displayName: 'Probe' },
};

function key(operation: ContractOperation): string {
  return `${operation.method} ${operation.path}`;
}

/** Bob's resource for a path parameter, chosen by the path segment before it. */
function bobsResource(context: SecurityContext, operation: ContractOperation): string {
  const before = operation.path.split('/{')[0]?.split('/').pop();
  switch (before) {
    case 'users':
      return context.bob.id;
    case 'notifications':
      return context.bobNotificationId;
    case 'events':
      return context.bobEventId;
    case 'webhooks':
      return 'partner';
    default:
      throw new Error(
        `${describeOperation(operation)}: the BOLA matrix does not know Bob's "${before}"; add it to bobsResource()`,
      );
  }
}

function concretePath(context: SecurityContext, operation: ContractOperation): string {
  return operation.path.replace(/\{[^}]+\}/g, () =>
    encodeURIComponent(bobsResource(context, operation)),
  );
}

async function call(
  client: GatewayClient,
  operation: ContractOperation,
  path: string,
  token: string | undefined,
): Promise<ApiResponse> {
  const body = operation.jsonBody ? (VALID_BODIES[key(operation)] ?? {}) : undefined;
  return client.call(operation.method, path, body, token === undefined ? {} : { token });
}

function bearerOperations(context: SecurityContext): ContractOperation[] {
  return context.platform.services.flatMap((service: ServiceName) =>
    contractOperations(context.platform.repoRoot, service).filter(
      (op) => op.bearer && !op.anonymousAllowed,
    ),
  );
}

/** Declares the authorization specs. */
export function authorizationSpecs(context: () => SecurityContext): void {
  describe('Authorization matrix from the contracts', function () {
    it('When the contracts are read, then they list bearer routes of every service, and every listed user route exists', function () {
      const c = context();
      const operations = bearerOperations(c);
      const services = new Set(operations.map((op) => op.service));
      assert.deepEqual([...services].sort(), [...c.platform.services].sort());
      const keys = new Set(operations.map(key));
      for (const route of [...USER_ROUTES, ...SERVICE_TOKEN_ROUTES]) {
        assert.ok(keys.has(route), `${route} is listed here but in no contract`);
      }
    });

    it('When any bearer route is called without a token, then the gateway and the service answer 401', async function () {
      const c = context();
      const wrong: string[] = [];
      for (const operation of bearerOperations(c)) {
        const path = concretePath(c, operation);
        for (const [via, client] of [
          ['gateway', c.api],
          ['direct', c.direct(operation.service)],
        ] as const) {
          const response = await call(client, operation, path, undefined);
          if (response.status !== 401) wrong.push(`${via} ${key(operation)}: ${response.status}`);
        }
      }
      assert.deepEqual(wrong, []);
    });

    it('When an ordinary user calls every admin route, then each answers 403, through the gateway and directly', async function () {
      const c = context();
      const wrong: string[] = [];
      let checked = 0;
      for (const operation of bearerOperations(c)) {
        if (USER_ROUTES.has(key(operation))) continue;
        const path = concretePath(c, operation);
        for (const [via, client] of [
          ['gateway', c.api],
          ['direct', c.direct(operation.service)],
        ] as const) {
          const response = await call(client, operation, path, c.alice.accessToken);
          checked += 1;
          if (response.status !== 403) {
            wrong.push(
              `${via} ${key(operation)}: ${response.status} ${response.text.slice(0, 200)}`,
            );
          }
        }
      }
      assert.ok(checked >= 20, `only ${checked} calls: the contracts list too few admin routes`);
      assert.deepEqual(wrong, []);
    });

    it('When a service token calls every route outside its scopes, then each answers 403', async function () {
      const c = context();
      const wrong: string[] = [];
      for (const operation of bearerOperations(c)) {
        if (SERVICE_TOKEN_ROUTES.has(key(operation))) continue;
        const response = await call(c.api, operation, concretePath(c, operation), c.serviceToken);
        if (response.status !== 403) wrong.push(`${key(operation)}: ${response.status}`);
      }
      assert.deepEqual(wrong, []);
    });

    it('When the admin (or, for scoped routes, the service token) calls every non-user route, then none refuses them (the control: the routes exist and the matrix can fail)', async function () {
      const c = context();
      const wrong: string[] = [];
      for (const operation of bearerOperations(c)) {
        if (USER_ROUTES.has(key(operation)) || SELF_DESTRUCTIVE.has(key(operation))) continue;
        // Rotating the signing key is an admin route too; it is exercised, harmlessly, here.
        const token = SERVICE_TOKEN_ROUTES.has(key(operation))
          ? c.serviceToken
          : c.admin.accessToken;
        const response = await call(c.api, operation, concretePath(c, operation), token);
        if (response.status === 401 || response.status === 403) {
          wrong.push(`${key(operation)}: ${response.status} ${response.text.slice(0, 200)}`);
        }
      }
      assert.deepEqual(wrong, []);
    });

    it("When Alice calls every route with a path parameter on Bob's resources, then each is 403 or 404 and shows nothing of Bob's", async function () {
      const c = context();
      const wrong: string[] = [];
      const withParameters = bearerOperations(c).filter((op) => op.pathParameters.length > 0);
      assert.ok(withParameters.length >= 4, 'the contracts have routes with path parameters');
      for (const operation of withParameters) {
        const path = concretePath(c, operation);
        for (const [via, client] of [
          ['gateway', c.api],
          ['direct', c.direct(operation.service)],
        ] as const) {
          const response = await call(client, operation, path, c.alice.accessToken);
          if (response.status !== 403 && response.status !== 404) {
            wrong.push(`${via} ${operation.method} ${path}: ${response.status}`);
          } else if (response.text.includes(c.bob.email)) {
            wrong.push(`${via} ${operation.method} ${path}: the refusal shows Bob's email`);
          }
        }
      }
      assert.deepEqual(wrong, []);
    });

    it("When Alice has tried everything on Bob's resources, then Bob's inbox item is unread, his roles unchanged and his profile readable by him only", async function () {
      const c = context();
      const inbox = await c.api.get<{ items: { id: string; readAt: string | null }[] }>(
        '/api/notifications',
        { token: c.bob.accessToken },
      );
      const item = inbox.body.items.find((i) => i.id === c.bobNotificationId);
      assert.ok(item, "Bob's welcome item is still his");
      assert.equal(item.readAt, null, "Alice's read did not reach Bob's item");
      const me = await c.api.get<{ roles: string[] }>('/api/auth/me', { token: c.bob.accessToken });
      assert.deepEqual(me.body.roles, ['user']);
      const aliceInbox = await c.api.get<{ items: { id: string }[] }>('/api/notifications', {
        token: c.alice.accessToken,
      });
      assert.ok(!aliceInbox.body.items.some((i) => i.id === c.bobNotificationId));
      const own = await c.api.get(`/api/users/${c.bob.id}`, { token: c.bob.accessToken });
      assert.equal(own.status, 200, 'Bob reads his own profile by id (the control)');
    });
  });
}

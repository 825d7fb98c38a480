// Rolling restart of every component (two instances each, behind the gateway) under steady
// mixed traffic: not one request may fail.
import assert from 'node:assert/strict';
import type { ComponentName } from '../src/index.ts';
import { getStatus, sendJson, startSteadyLoad } from './support/steady-load.ts';
import type { LoadRoute } from './support/steady-load.ts';
import type { ReliabilityContext } from './support/reliability-context.ts';

/** Concurrent loops of the load; the context has at least this many users. */
const LOAD_WORKERS = 6;
const COMPONENTS: readonly ComponentName[] = [
  'auth',
  'user',
  'event',
  'notification',
  'reporting',
  'gateway',
];

/** Reads and writes on every service, through the gateway. */
function mixedTraffic(c: ReliabilityContext): LoadRoute[] {
  const base = c.platform.gatewayUrl;
  const [a, b] = c.users;
  assert.ok(a && b);
  // Each loop updates its own user: two simultaneous updates of one profile may rightly get a
  // 409 (the contract's optimistic concurrency), which is not what this test is about.
  const own = (worker: number) => c.users[worker % c.users.length]?.token;
  return [
    { name: 'auth me', idempotent: true, send: () => getStatus(`${base}/api/auth/me`, a.token) },
    { name: 'user me', idempotent: true, send: () => getStatus(`${base}/api/users/me`, b.token) },
    {
      name: 'user update',
      send: (n, worker) =>
        sendJson('PATCH', `${base}/api/users/me`, { displayName: `Load ${n}` }, own(worker)),
    },
    {
      name: 'inbox',
      idempotent: true,
      send: () => getStatus(`${base}/api/notifications`, a.token),
    },
    {
      name: 'event log',
      idempotent: true,
      send: () => getStatus(`${base}/api/events?limit=1`, c.adminToken),
    },
    {
      name: 'reports',
      idempotent: true,
      send: () => getStatus(`${base}/api/reports/summary`, c.adminToken),
    },
    {
      name: 'jwks',
      idempotent: true,
      send: () => getStatus(`${base}/api/auth/.well-known/jwks.json`),
    },
  ];
}

/** Declares the rolling-restart specs. */
export function rollingRestartSpecs(context: () => ReliabilityContext): void {
  describe('Rolling restart under steady load', function () {
    for (const name of COMPONENTS) {
      it(`When ${name}'s two instances are restarted one after the other under load, then no request fails`, async function () {
        const c = context();
        const component = c.platform.component(name);
        const pidsBefore = component.instances().map((instance) => instance.pid);
        assert.equal(pidsBefore.length, 2, 'two instances');
        const load = startSteadyLoad(mixedTraffic(c), { workers: LOAD_WORKERS });
        await load.waitForMore(50);
        const before = load.completed();
        await component.rollingRestart();
        const during = load.completed() - before;
        await load.waitForMore(50);
        const report = await load.stop();
        console.log(
          `      ${name}: ${report.total} requests, ${during} during the restart, ${report.failures.length} failed, ${report.retried} GETs retried after a connection reset`,
        );

        const pidsAfter = component.instances().map((instance) => instance.pid);
        for (const [index, pid] of pidsAfter.entries()) {
          assert.ok(
            pid !== undefined && pid !== pidsBefore[index],
            `${name} instance ${index + 1} was replaced`,
          );
        }
        assert.ok(during >= 20, `traffic flowed during the restart (${during} requests)`);
        assert.deepEqual(
          report.failures.map((f) => `${f.route}: ${f.outcome}`),
          [],
          `${report.failures.length} of ${report.total} requests failed`,
        );
      });
    }
  });
}

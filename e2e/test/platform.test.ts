// The launcher itself: what the journeys and the reliability and security suites rely on.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { isPortInUse, startPlatform } from '../src/index.ts';
import type { Platform } from '../src/index.ts';

/** GETs through the gateway `count` times and counts the statuses seen. */
async function statuses(url: string, count: number): Promise<Map<number, number>> {
  const seen = new Map<number, number>();
  for (let i = 0; i < count; i += 1) {
    const status = await fetch(url).then(
      (response) => response.arrayBuffer().then(() => response.status),
      () => 0,
    );
    seen.set(status, (seen.get(status) ?? 0) + 1);
  }
  return seen;
}

describe('Platform launcher', function () {
  this.timeout(120_000);

  describe('with auth and user, user twice', function () {
    let platform: Platform;
    let jwks: string;

    before(async function () {
      platform = await startPlatform({
        kind: 'launcher',
        services: ['auth', 'user'],
        replicas: { user: 2 },
        shutdownDelayMs: 300,
      });
      jwks = `${platform.gatewayUrl}/api/auth/.well-known/jwks.json`;
    });

    after(async function () {
      await platform?.stop();
    });

    it('When it has started, then every instance is ready and the gateway routes to auth', async function () {
      assert.deepEqual(platform.services, ['auth', 'user']);
      assert.equal(platform.instances('user').length, 2);
      for (const name of ['auth', 'user', 'gateway'] as const) {
        for (const instance of platform.instances(name)) {
          assert.equal(instance.state(), 'ready', instance.id);
          assert.ok(instance.pid, `${instance.id} has a pid`);
        }
      }
      const response = await fetch(jwks);
      assert.equal(response.status, 200);
      assert.ok(((await response.json()) as { keys: unknown[] }).keys.length > 0);
    });

    it("When the routes file is read, then it holds the charts' Ingresses in the run's namespace", function () {
      const documents = readFileSync(`${platform.stateDir}/routes.yaml`, 'utf8')
        .split(/^---$/m)
        .map((text) => parse(text) as { kind: string; metadata?: { namespace: string } });
      const ingresses = documents.filter((document) => document.kind === 'Ingress');
      assert.deepEqual(
        new Set(ingresses.map((ingress) => ingress.metadata?.namespace)),
        new Set([platform.names.namespace]),
      );
      assert.equal(documents.filter((document) => document.kind === 'LocalBackends').length, 1);
    });

    it('When a user instance is killed with SIGKILL, then requests through its balancer keep succeeding', async function () {
      const [first, second] = platform.instances('user');
      assert.ok(first && second);
      const exit = await first.kill('SIGKILL');
      assert.equal(exit?.signal, 'SIGKILL');
      assert.equal(first.isRunning(), false);
      // Through the user balancer (what the gateway's backend points at); no token needed.
      const seen = await statuses(`${platform.component('user').url}/api/users/openapi.json`, 20);
      assert.deepEqual([...seen], [[200, 20]], 'the balancer skips the dead instance');
      await first.start();
      assert.equal(first.state(), 'ready');
    });

    it('When an instance is restarted, then it comes back ready on the same port with its log appended', async function () {
      const [instance] = platform.instances('user');
      assert.ok(instance);
      const port = instance.port;
      const pid = instance.pid;
      await instance.restart();
      assert.equal(instance.port, port);
      assert.notEqual(instance.pid, pid);
      assert.equal(instance.state(), 'ready');
      const log = readFileSync(instance.logFile, 'utf8');
      assert.ok(
        (log.match(/=== .* starting user-1/g) ?? []).length >= 2,
        'one start marker per start',
      );
    });

    it('When the component is scaled to three and back to one, then the instances follow', async function () {
      const user = platform.component('user');
      await user.scale(3);
      assert.equal(user.instances().length, 3);
      await user.scale(1);
      assert.equal(user.instances().length, 1);
      const seen = await statuses(`${platform.component('user').url}/api/users/openapi.json`, 5);
      assert.deepEqual([...seen], [[200, 5]]);
    });

    it('When the secrets are listed, then the log files exist for every instance and hold none of them', function () {
      const values = platform.secrets.values();
      assert.ok(values.length >= 6);
      const files = platform.logFiles();
      assert.ok(files.length >= 3);
      for (const file of files) {
        const text = readFileSync(file, 'utf8');
        for (const value of values) assert.ok(!text.includes(value), `${file} leaks a secret`);
      }
    });
  });

  describe('stopping', function () {
    it('When a platform is stopped, then its processes are gone, its ports free and its data removed', async function () {
      const platform = await startPlatform({ kind: 'stopping', services: ['auth'] });
      const pids = [...platform.instances('auth'), ...platform.instances('gateway')].map(
        (instance) => instance.pid,
      );
      const ports = [
        ...platform.instances('auth').map((instance) => instance.port),
        new URL(platform.gatewayUrl).port,
      ].map(Number);
      await platform.stop();
      for (const pid of pids) assert.equal(existsSync(`/proc/${pid}`), false, `pid ${pid} is gone`);
      for (const port of ports)
        assert.equal(await isPortInUse(port), false, `port ${port} is free`);
      const pg = await import('pg');
      const client = new pg.default.Client({ connectionString: platform.deps.PG_URL });
      await client.connect();
      try {
        const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
          platform.names.databases.auth,
        ]);
        assert.equal(rowCount, 0, 'the run database was dropped');
      } finally {
        await client.end();
      }
    });

    it('When a service cannot start, then startPlatform fails with its log tail and leaves nothing running', async function () {
      await assert.rejects(
        startPlatform({
          kind: 'broken',
          services: ['auth'],
          env: { auth: { AUTH_KEY_ENCRYPTION_KEY: 'not base64 of 32 bytes' } },
        }),
        /auth-1 exited before it was ready:[\s\S]*AUTH_KEY_ENCRYPTION_KEY/,
      );
    });
  });
});

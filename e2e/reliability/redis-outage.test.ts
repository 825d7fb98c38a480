// Redis gone: the gateway follows its configured policy (RATE_LIMIT_REDIS_DOWN, `local` in the
// launcher and the chart's default): each replica limits alone, requests keep flowing, and the
// outage is counted; when Redis is back the shared counters are used again.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPlatform } from '../src/index.ts';
import type { Platform } from '../src/index.ts';
import { startPrivateDeps } from './support/private-deps.ts';
import type { PrivateDeps } from './support/private-deps.ts';
import { watchReadiness } from './support/readiness-watch.ts';

/** One Redis command over a raw socket; the raw RESP reply. */
async function redisCommand(port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('error', reject);
    socket.once('connect', () => socket.write(`${command}\r\n`));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString());
    });
  });
}

/** The gateway's own counter of decisions taken without Redis, from its admin /metrics. */
async function redisDownDecisions(platform: Platform, policy: string): Promise<number> {
  let total = 0;
  for (const instance of platform.instances('gateway')) {
    const metrics = await fetch(instance.spec.readyUrl.replace(/\/readyz$/, '/metrics')).then((r) =>
      r.text(),
    );
    for (const line of metrics.split('\n')) {
      if (
        line.startsWith('gateway_rate_limit_redis_down_total') &&
        line.includes(`policy="${policy}"`)
      ) {
        total += Number(line.split(' ').pop());
      }
    }
  }
  return total;
}

describe('Redis gone', function () {
  this.timeout(120_000);
  let deps: PrivateDeps;
  let platform: Platform;

  before(async function () {
    deps = await startPrivateDeps();
    platform = await startPlatform({ kind: 'redis', deps: deps.env, services: ['auth'] });
  });

  after(async function () {
    await platform?.stop();
    await deps?.stop();
  });

  it('When Redis stops, then the gateway keeps serving with local limits (policy local), counts it, and goes back to Redis when it returns', async function () {
    const jwks = `${platform.gatewayUrl}/api/auth/.well-known/jwks.json`;
    const first = await fetch(jwks);
    assert.equal(first.status, 200);
    assert.ok(first.headers.get('ratelimit-remaining'), 'the route is rate-limited');
    const keysBefore = await redisCommand(deps.redis.port, 'DBSIZE');
    assert.match(keysBefore, /^:[1-9]/, `the limiter counts in Redis (${keysBefore.trim()})`);

    const auth = watchReadiness(platform.instances('auth'));
    const downBefore = await redisDownDecisions(platform, 'local');
    await deps.redis.stop();
    try {
      const statuses: number[] = [];
      const remaining: string[] = [];
      for (let i = 0; i < 20; i += 1) {
        const response = await fetch(jwks);
        await response.arrayBuffer();
        statuses.push(response.status);
        remaining.push(response.headers.get('ratelimit-remaining') ?? '');
      }
      assert.deepEqual(new Set(statuses), new Set([200]), 'policy local: requests keep flowing');
      assert.ok(
        remaining.every((value) => value !== ''),
        'and are still limited (locally)',
      );
      const downAfter = await redisDownDecisions(platform, 'local');
      assert.ok(
        downAfter > downBefore,
        `decisions without Redis are counted (${downBefore} -> ${downAfter})`,
      );
      await auth.waitForAll(503);
    } finally {
      await deps.redis.start();
    }
    await auth.waitUntilAllAre(200);
    const histories = await auth.stop();
    console.log(`      auth readiness: ${histories.map((h) => h.statuses.join(' > ')).join('; ')}`);

    // Back on Redis: the (empty, restarted) server gets counters again.
    let size = '';
    for (let i = 0; i < 40 && !/^:[1-9]/.test(size); i += 1) {
      const response = await fetch(jwks);
      await response.arrayBuffer();
      assert.equal(response.status, 200);
      size = await redisCommand(deps.redis.port, 'DBSIZE');
      await sleep(250);
    }
    assert.match(size, /^:[1-9]/, 'the gateway counts in Redis again');
  });
});

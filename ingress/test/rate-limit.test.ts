import assert from 'node:assert/strict';
import { loadDepsEnv, uniqueName } from '@shoal/testbed';
import { startGateway, routesYaml } from './support/gateway-under-test.ts';
import type { GatewayUnderTest } from './support/gateway-under-test.ts';
import { httpCall } from './support/http-call.ts';
import { freePort, startUpstream } from './support/upstream-server.ts';
import type { Upstream } from './support/upstream-server.ts';

/**
 * Redis is up in these tests: on a busy machine a slow answer must not count as "Redis down"
 * (which would let each gateway limit alone), and if it ever did, fail closed, never open.
 */
const patientRedis = { RATE_LIMIT_REDIS_TIMEOUT_MS: '5000', RATE_LIMIT_REDIS_DOWN: 'closed' };

describe('rate limits shared through Redis', () => {
  let upstream: Upstream;
  const gateways: GatewayUnderTest[] = [];

  before(async () => {
    upstream = await startUpstream();
  });
  afterEach(async () => {
    await Promise.all(gateways.splice(0).map((gateway) => gateway.stop()));
  });
  after(async () => {
    await upstream.close();
  });

  /** A gateway whose one route allows `limit` requests per minute; a unique Ingress name keeps runs apart. */
  async function gatewayWithLimit(
    name: string,
    limit: string,
    env: Record<string, string>,
  ): Promise<GatewayUnderTest> {
    const gateway = await startGateway({
      routes: routesYaml({
        upstream: upstream.url,
        name,
        annotations: { 'shoal.dev/rate-limit': limit },
      }),
      env,
    });
    gateways.push(gateway);
    return gateway;
  }

  it('When two gateways share Redis, then together they let through no more than the limit', async () => {
    const { REDIS_URL } = loadDepsEnv();
    const name = uniqueName('rl');
    const one = await gatewayWithLimit(name, '10/m', { REDIS_URL, ...patientRedis });
    const two = await gatewayWithLimit(name, '10/m', { REDIS_URL, ...patientRedis });
    const calls = Array.from({ length: 30 }, (_, i) => httpCall(`${(i % 2 ? one : two).url}/x`));
    const statuses = (await Promise.all(calls)).map((res) => res.status);
    assert.equal(statuses.filter((status) => status === 200).length, 10);
    assert.equal(statuses.filter((status) => status === 429).length, 20);
  });

  it('When a large limit is leased out in batches, then two gateways together still never pass the limit', async function () {
    this.timeout(60_000);
    const { REDIS_URL } = loadDepsEnv();
    const name = uniqueName('rl');
    const one = await gatewayWithLimit(name, '2000/m', { REDIS_URL, ...patientRedis });
    const two = await gatewayWithLimit(name, '2000/m', { REDIS_URL, ...patientRedis });
    const statuses: number[] = [];
    for (let batch = 0; batch < 44; batch++) {
      const calls = Array.from({ length: 50 }, (_, i) => httpCall(`${(i % 2 ? one : two).url}/x`));
      statuses.push(...(await Promise.all(calls)).map((res) => res.status));
    }
    const passed = statuses.filter((status) => status === 200).length;
    assert.ok(passed <= 2000, `${passed} passed a limit of 2000`);
    // Leases of 2 forgo at most one point per gateway at the end of the budget.
    assert.ok(passed >= 1998, `only ${passed} of 2000 passed`);
    assert.equal(statuses.length - passed, statuses.filter((status) => status === 429).length);
  });

  it('When the limit is spent, then the 429 is problem+json with Retry-After and RateLimit headers', async () => {
    const { REDIS_URL } = loadDepsEnv();
    const gateway = await gatewayWithLimit(uniqueName('rl'), '2/m', { REDIS_URL, ...patientRedis });
    const first = await httpCall(`${gateway.url}/x`);
    assert.equal(first.status, 200);
    assert.equal(first.headers['ratelimit-limit'], '2');
    assert.equal(first.headers['ratelimit-remaining'], '1');
    await httpCall(`${gateway.url}/x`);
    const refused = await httpCall(`${gateway.url}/x`);
    assert.equal(refused.status, 429);
    assert.match(String(refused.headers['content-type']), /^application\/problem\+json/);
    const retryAfter = Number(refused.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal(refused.headers['ratelimit-remaining'], '0');
  });

  it("When callers are told apart by client address, then a trusted proxy's X-Forwarded-For client gets its own budget", async () => {
    const { REDIS_URL } = loadDepsEnv();
    const gateway = await gatewayWithLimit(uniqueName('rl'), '1/m', {
      REDIS_URL,
      TRUST_PROXY: '127.0.0.1',
      ...patientRedis,
    });
    const as = (client: string) =>
      httpCall(`${gateway.url}/x`, { headers: { 'x-forwarded-for': client } });
    assert.equal((await as('198.51.100.1')).status, 200);
    assert.equal((await as('198.51.100.1')).status, 429);
    assert.equal((await as('198.51.100.2')).status, 200);
  });

  it('When Redis is unreachable, then by default a local limiter still limits, and the fallback is counted', async () => {
    const deadRedis = `redis://127.0.0.1:${await freePort()}`;
    const gateway = await gatewayWithLimit(uniqueName('rl'), '3/m', { REDIS_URL: deadRedis });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await httpCall(`${gateway.url}/x`)).status);
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    const metrics = await httpCall(`${gateway.adminUrl}/metrics`);
    assert.match(metrics.text, /gateway_rate_limit_redis_down_total\{[^}]*policy="local"[^}]*\} 5/);
  });

  it('When Redis is unreachable and the policy is closed, then limited routes answer 503', async () => {
    const deadRedis = `redis://127.0.0.1:${await freePort()}`;
    const gateway = await gatewayWithLimit(uniqueName('rl'), '3/m', {
      REDIS_URL: deadRedis,
      RATE_LIMIT_REDIS_DOWN: 'closed',
    });
    const res = await httpCall(`${gateway.url}/x`);
    assert.equal(res.status, 503);
    assert.ok(
      gateway
        .logs()
        .some((line) => line['msg'] === 'rate limiter: Redis unreachable, failing closed'),
    );
  });

  it('When Redis is unreachable and the policy is open, then requests pass unlimited', async () => {
    const deadRedis = `redis://127.0.0.1:${await freePort()}`;
    const gateway = await gatewayWithLimit(uniqueName('rl'), '1/m', {
      REDIS_URL: deadRedis,
      RATE_LIMIT_REDIS_DOWN: 'open',
    });
    for (let i = 0; i < 3; i++) assert.equal((await httpCall(`${gateway.url}/x`)).status, 200);
  });
});

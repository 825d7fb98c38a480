import assert from 'node:assert/strict';
import { loadDepsEnv, uniqueName } from '@shoal/testbed';
import { Redis } from 'ioredis';
import { createRateLimiter } from '../../src/rate-limit/rate-limiter.ts';
import { rateLimitMiddleware } from '../../src/rate-limit/rate-limit-middleware.ts';
import { serveApp } from '../auth/problem-app.ts';
import type { RunningApp } from '../auth/problem-app.ts';
import { startTcpProxy } from '../messaging/tcp-proxy.ts';
import type { TcpProxy } from '../messaging/tcp-proxy.ts';

/** Where a test needs Redis' answer, a busy machine must not tip it into the local fallback. */
const SLOW_MACHINE_MS = 5_000;

describe('rate-limit: rateLimitMiddleware over HTTP with the real Redis', () => {
  const { REDIS_URL } = loadDepsEnv();
  let redis: Redis;
  let deadRedis: Redis;
  let proxy: TcpProxy;
  let app: RunningApp;

  before(async () => {
    redis = new Redis(REDIS_URL);
    proxy = await startTcpProxy(REDIS_URL);
    await proxy.down();
    deadRedis = new Redis(`redis://127.0.0.1:${proxy.port}`, { retryStrategy: () => 1000 });
    deadRedis.on('error', () => undefined); // it is meant to be unreachable
    await new Promise((resolve) => redis.once('ready', resolve));
    const perIp = createRateLimiter({
      redis,
      points: 2,
      durationSec: 30,
      keyPrefix: uniqueName('rl'),
      redisTimeoutMs: SLOW_MACHINE_MS,
    });
    const perUser = createRateLimiter({
      redis,
      points: 5,
      durationSec: 30,
      keyPrefix: uniqueName('rl'),
      redisTimeoutMs: SLOW_MACHINE_MS,
    });
    const failClosed = createRateLimiter({
      redis: deadRedis,
      points: 5,
      durationSec: 30,
      keyPrefix: uniqueName('rl'),
      insuranceLocal: false,
    });
    app = await serveApp((a) => {
      a.get('/ip', rateLimitMiddleware(perIp), (_req, res) => {
        res.json({ ok: true });
      });
      a.get(
        '/user',
        rateLimitMiddleware(perUser, {
          key: (req) => req.get('x-user') ?? 'anonymous',
          cost: (req) => Number(req.query['cost'] ?? 1),
        }),
        (_req, res) => {
          res.json({ ok: true });
        },
      );
      a.get('/closed', rateLimitMiddleware(failClosed), (_req, res) => {
        res.json({ ok: true });
      });
    });
  });

  after(async () => {
    await app.close();
    redis.disconnect();
    deadRedis.disconnect();
    await proxy.close();
  });

  it('When the budget is spent, then 429 with Retry-After and RateLimit headers; before that, 200 with the headers', async () => {
    const first = await fetch(`${app.url}/ip`);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('ratelimit-limit'), '2');
    assert.equal(first.headers.get('ratelimit-remaining'), '1');
    const reset = Number(first.headers.get('ratelimit-reset'));
    assert.ok(reset >= 1 && reset <= 30);

    assert.equal((await fetch(`${app.url}/ip`)).status, 200);
    const limited = await fetch(`${app.url}/ip`);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('ratelimit-remaining'), '0');
    const retryAfter = Number(limited.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= 30);
    assert.match(limited.headers.get('content-type') ?? '', /application\/problem\+json/);
    const body = (await limited.json()) as Record<string, unknown>;
    assert.equal(body['status'], 429);
    assert.equal(body['detail'], 'rate limit of 2 per 30s exceeded');
  });

  it('When a custom key and cost are given, then each user has a budget spent by cost', async () => {
    const call = (user: string, cost: number) =>
      fetch(`${app.url}/user?cost=${cost}`, { headers: { 'x-user': user } });
    assert.equal((await call('ann', 4)).status, 200);
    assert.equal((await call('ann', 2)).status, 429);
    const bob = await call('bob', 1);
    assert.equal(bob.status, 200);
    assert.equal(bob.headers.get('ratelimit-remaining'), '4');
  });

  it('When Redis is unreachable and the limiter fails closed, then 503', async () => {
    const res = await fetch(`${app.url}/closed`);
    assert.equal(res.status, 503);
  });
});

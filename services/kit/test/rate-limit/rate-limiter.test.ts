import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { loadDepsEnv, uniqueName } from '@shoal/testbed';
import { Redis } from 'ioredis';
import { createLogger } from '../../src/logger/logger.ts';
import {
  RateLimiterUnavailableError,
  createRateLimiter,
} from '../../src/rate-limit/rate-limiter.ts';
import type { RateLimiter } from '../../src/rate-limit/rate-limiter.ts';
import { startTcpProxy } from '../messaging/tcp-proxy.ts';

/** Where a test needs Redis' answer, a busy machine must not tip it into the local fallback. */
const SLOW_MACHINE_MS = 5_000;

/** An ioredis client that retries its connection quickly (tests take Redis down and up). */
function redisAt(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  redis.on('error', () => undefined); // refused connections are what these tests are about
  return redis;
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(condition(), 'condition not reached');
}

describe('rate-limit: createRateLimiter against the real Redis', () => {
  const { REDIS_URL } = loadDepsEnv();
  const clients: Redis[] = [];

  function client(url = REDIS_URL): Redis {
    const redis = redisAt(url);
    clients.push(redis);
    return redis;
  }

  after(() => {
    for (const redis of clients) redis.disconnect();
  });

  it('When two replicas share Redis, then together they let through no more than the limit', async () => {
    const keyPrefix = uniqueName('rl');
    const redises = [client(), client()];
    await until(() => redises.every((redis) => redis.status === 'ready'));
    const replicas = redises.map((redis) =>
      createRateLimiter({
        redis,
        points: 10,
        durationSec: 60,
        keyPrefix,
        redisTimeoutMs: SLOW_MACHINE_MS,
      }),
    );
    const decisions = await Promise.all(
      Array.from({ length: 40 }, (_, i) => replicas[i % 2]!.consume('203.0.113.7')),
    );
    assert.equal(decisions.filter((d) => d.allowed).length, 10);
    assert.ok(decisions.every((d) => !d.local));
    const denied = decisions.find((d) => !d.allowed)!;
    assert.equal(denied.remaining, 0);
    assert.equal(denied.limit, 10);
    assert.ok(denied.resetMs > 0 && denied.resetMs <= 60_000);
    // Another key has its own budget.
    assert.equal((await replicas[0]!.consume('198.51.100.1')).allowed, true);
  });

  it('When a request costs several points, then the budget shrinks by that much', async () => {
    const redis = client();
    await until(() => redis.status === 'ready');
    const limiter = createRateLimiter({
      redis,
      points: 5,
      durationSec: 60,
      keyPrefix: uniqueName('rl'),
      redisTimeoutMs: SLOW_MACHINE_MS,
    });
    assert.equal((await limiter.consume('k', 3)).remaining, 2);
    assert.equal((await limiter.consume('k', 3)).allowed, false);
  });

  it('When a key is peeked, then its remaining budget is reported and nothing is spent, across replicas', async () => {
    const keyPrefix = uniqueName('rl');
    const redises = [client(), client()];
    await until(() => redises.every((redis) => redis.status === 'ready'));
    const [a, b] = redises.map((redis) =>
      createRateLimiter({
        redis,
        points: 3,
        durationSec: 60,
        keyPrefix,
        redisTimeoutMs: SLOW_MACHINE_MS,
      }),
    ) as [RateLimiter, RateLimiter];

    const untouched = await a.peek('user@example.com');
    assert.deepEqual(untouched, {
      allowed: true,
      limit: 3,
      remaining: 3,
      resetMs: 0,
      local: false,
    });
    await a.consume('user@example.com', 2);
    for (let i = 0; i < 3; i++) {
      const peeked = await b.peek('user@example.com');
      assert.equal(peeked.remaining, 1, 'peeking spends nothing');
      assert.equal(peeked.allowed, true);
      assert.ok(peeked.resetMs > 0 && peeked.resetMs <= 60_000);
    }
    await b.consume('user@example.com');
    const spent = await a.peek('user@example.com');
    assert.deepEqual([spent.allowed, spent.remaining], [false, 0]);
    assert.equal((await a.consume('user@example.com')).allowed, false);
  });

  it('When a key is reset, then its full budget is back on every replica, and other keys keep theirs', async () => {
    const keyPrefix = uniqueName('rl');
    const redises = [client(), client()];
    await until(() => redises.every((redis) => redis.status === 'ready'));
    const [a, b] = redises.map((redis) =>
      createRateLimiter({
        redis,
        points: 2,
        durationSec: 60,
        keyPrefix,
        redisTimeoutMs: SLOW_MACHINE_MS,
      }),
    ) as [RateLimiter, RateLimiter];
    for (const key of ['failed-logins:ada', 'failed-logins:bob']) {
      await a.consume(key);
      await a.consume(key);
      assert.equal((await a.consume(key)).allowed, false);
    }

    await b.reset('failed-logins:ada');
    assert.deepEqual(await a.peek('failed-logins:ada'), {
      allowed: true,
      limit: 2,
      remaining: 2,
      resetMs: 0,
      local: false,
    });
    assert.equal((await a.consume('failed-logins:ada')).remaining, 1);
    assert.equal((await b.peek('failed-logins:bob')).allowed, false);
    await a.reset('never-seen'); // resetting an unknown key is fine
  });

  it('When Redis is unreachable, then peek and reset work on the local insurance count', async () => {
    const proxy = await startTcpProxy(REDIS_URL);
    await proxy.down();
    try {
      const limiter = createRateLimiter({
        redis: client(`redis://127.0.0.1:${proxy.port}`),
        points: 100,
        insurancePoints: 2,
        durationSec: 60,
        keyPrefix: uniqueName('rl'),
      });
      await limiter.consume('k');
      assert.deepEqual(
        { ...(await limiter.peek('k')), resetMs: 0 },
        { allowed: true, limit: 2, remaining: 1, resetMs: 0, local: true },
      );
      await limiter.consume('k');
      assert.equal((await limiter.peek('k')).allowed, false);
      await limiter.reset('k');
      assert.equal((await limiter.peek('k')).remaining, 2);
      assert.equal((await limiter.consume('k')).allowed, true);
    } finally {
      await proxy.close();
    }
  });

  it('When Redis is unreachable, then the local insurance limiter applies and a warning is logged', async () => {
    const proxy = await startTcpProxy(REDIS_URL);
    await proxy.down(); // nothing listens on the proxy's port: connection refused
    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    const limiter = createRateLimiter({
      redis: client(`redis://127.0.0.1:${proxy.port}`),
      points: 100,
      insurancePoints: 3,
      durationSec: 60,
      keyPrefix: uniqueName('rl'),
      logger: createLogger({ service: 'test', stream }),
    });
    const decisions = [];
    for (let i = 0; i < 5; i++) decisions.push(await limiter.consume('k'));
    assert.deepEqual(
      decisions.map((d) => d.allowed),
      [true, true, true, false, false],
    );
    assert.ok(decisions.every((d) => d.local && d.limit === 3));
    await until(() => lines.length > 0);
    assert.equal(lines.length, 1, 'the warning is throttled, not logged per request');
    assert.match(lines[0]!, /Redis unreachable, limiting locally/);
  });

  it('When Redis goes away and comes back, then decisions move to the local limiter and back', async () => {
    const proxy = await startTcpProxy(REDIS_URL);
    try {
      const redis = client(`redis://127.0.0.1:${proxy.port}`);
      const limiter = createRateLimiter({
        redis,
        points: 50,
        durationSec: 60,
        keyPrefix: uniqueName('rl'),
        redisTimeoutMs: SLOW_MACHINE_MS,
      });
      await until(() => redis.status === 'ready');
      assert.equal((await limiter.consume('k')).local, false);

      await proxy.down();
      await until(() => redis.status !== 'ready');
      assert.equal((await limiter.consume('k')).local, true);

      await proxy.up();
      await until(() => redis.status === 'ready');
      const back = await limiter.consume('k');
      assert.equal(back.local, false);
      assert.equal(back.remaining, 48, 'the shared counter kept the earlier request');
    } finally {
      await proxy.close();
    }
  });

  it('When Redis is unreachable and no insurance is configured, then consume(), peek() and reset() throw', async () => {
    const proxy = await startTcpProxy(REDIS_URL);
    await proxy.down();
    const limiter = createRateLimiter({
      redis: client(`redis://127.0.0.1:${proxy.port}`),
      points: 1,
      durationSec: 1,
      keyPrefix: uniqueName('rl'),
      insuranceLocal: false,
    });
    await assert.rejects(limiter.consume('k'), RateLimiterUnavailableError);
    await assert.rejects(limiter.peek('k'), RateLimiterUnavailableError);
    await assert.rejects(limiter.reset('k'), RateLimiterUnavailableError);
  });

  it('When the options are invalid, then createRateLimiter says which one', () => {
    const redis = client();
    assert.throws(
      () => createRateLimiter({ redis, points: 0, durationSec: 1, keyPrefix: 'x' }),
      /points/,
    );
    assert.throws(
      () => createRateLimiter({ redis, points: 1, durationSec: 0.5, keyPrefix: 'x' }),
      /durationSec/,
    );
    assert.throws(
      () => createRateLimiter({ redis, points: 1, durationSec: 1, keyPrefix: ' ' }),
      /keyPrefix/,
    );
  });
});

import assert from 'node:assert/strict';
import { Health } from '../../src/health/health.ts';
import { startTestService } from '../support/test-service.ts';

describe('health: /livez and /readyz', () => {
  it('When every check passes, then /readyz is 200 with each check ok', async () => {
    const running = await startTestService(() => {}, {
      checks: { db: async () => {}, queue: async () => {} },
    });
    try {
      const response = await fetch(`${running.url}/readyz`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('cache-control'), 'no-store');
      const body = (await response.json()) as {
        status: string;
        checks: Record<string, { status: string }>;
      };
      assert.equal(body.status, 'ready');
      assert.deepEqual(Object.keys(body.checks).sort(), ['db', 'queue']);
      assert.ok(Object.values(body.checks).every((check) => check.status === 'ok'));
    } finally {
      await running.service.stop();
    }
  });

  it('When a check fails, then /readyz is 503 naming it and its error, while /livez stays 200', async () => {
    const running = await startTestService(() => {}, {
      checks: {
        db: async () => {},
        queue: () => Promise.reject(new Error('connection refused')),
      },
    });
    try {
      const response = await fetch(`${running.url}/readyz`);
      assert.equal(response.status, 503);
      const body = (await response.json()) as {
        status: string;
        checks: Record<string, { status: string; error?: string }>;
      };
      assert.equal(body.status, 'not ready');
      assert.deepEqual(body.checks['queue']?.status, 'failed');
      assert.deepEqual(body.checks['queue']?.error, 'connection refused');
      assert.deepEqual(body.checks['db']?.status, 'ok');
      assert.equal((await fetch(`${running.url}/livez`)).status, 200);
    } finally {
      await running.service.stop();
    }
  });

  it('When a check hangs, then it fails after its timeout instead of hanging /readyz', async () => {
    const running = await startTestService(() => {}, {
      checkTimeoutMs: 50,
      checks: { stuck: () => new Promise(() => {}) },
    });
    try {
      const response = await fetch(`${running.url}/readyz`);
      assert.equal(response.status, 503);
      const body = (await response.json()) as { checks: Record<string, { error?: string }> };
      assert.equal(body.checks['stuck']?.error, 'timed out after 50 ms');
    } finally {
      await running.service.stop();
    }
  });

  it('When a check is added after creation, then /readyz runs it too', async () => {
    const running = await startTestService(() => {});
    try {
      // A check written carelessly may reject with a bare string; /readyz must still report it.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      running.service.health.addCheck('late', () => Promise.reject('not an Error'));
      const body = (await (await fetch(`${running.url}/readyz`)).json()) as {
        checks: Record<string, { error?: string }>;
      };
      assert.equal(body.checks['late']?.error, 'not an Error');
    } finally {
      await running.service.stop();
    }
  });

  it('When the service is draining, then readiness reports draining without running checks', async () => {
    let ran = 0;
    const health = new Health().addCheck('db', () => {
      ran += 1;
      return Promise.resolve();
    });
    health.markDraining();
    assert.deepEqual(await health.readiness(), { status: 'draining', checks: {} });
    assert.equal(ran, 0);
  });

  it('When two checks share a name, then adding the second throws', () => {
    const health = new Health().addCheck('db', async () => {});
    assert.throws(() => health.addCheck('db', async () => {}), /a check named "db" already exists/);
  });
});

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loggedIn } from './support/events.ts';
import { createTestEnvironment, startReporting } from './support/reporting-under-test.ts';
import type { ReportingUnderTest, TestEnvironment } from './support/reporting-under-test.ts';
import { TcpProxy } from './support/tcp-proxy.ts';

/** A counter's value in a Prometheus text exposition. */
function counter(metrics: string, name: string): number {
  const pattern = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm');
  return Number(pattern.exec(metrics)?.[1] ?? 0);
}

describe('the database going away while events arrive', () => {
  let environment: TestEnvironment;
  let proxy: TcpProxy;
  let reporting: ReportingUnderTest;

  before(async () => {
    environment = await createTestEnvironment();
    const database = new URL(environment.database.url);
    proxy = await TcpProxy.start({ host: database.hostname, port: Number(database.port) });
    database.host = `127.0.0.1:${proxy.port}`;
    // MAX_RECEIVE_COUNT 2 and a 2 s visibility (the environment's): a consumer that let its
    // messages go back on every failed write would dead-letter them within seconds.
    reporting = await startReporting(environment, { DATABASE_URL: database.toString() });
  });
  after(async () => {
    await proxy?.restore().catch(() => undefined);
    await reporting?.stop();
    await proxy?.cut();
    await environment?.dispose();
  });

  it('When PostgreSQL is unreachable for a while, then the events wait and are all recorded once it returns, none dead-lettered', async () => {
    const user = randomUUID();
    const events = Array.from({ length: 20 }, (_, index) =>
      loggedIn(user, `2026-11-01T10:${String(index).padStart(2, '0')}:00Z`),
    );
    await proxy.cut();
    await environment.sendEvents(events);
    const metrics = async () => (await reporting.api.get('/metrics', { unchecked: true })).text;
    // Hold the outage for three visibility timeouts: long enough for each message to be
    // received three times (and so dead-lettered) if failed writes gave messages back.
    await new Promise((resolve) => setTimeout(resolve, 3 * 2_000));
    assert.ok(counter(await metrics(), 'reporting_write_retries_total') >= 5);
    assert.equal(reporting.reporting.consumerStats().received, events.length);
    await proxy.restore();

    const totals = async () =>
      (
        await reporting.api.get<{ totals: Record<string, number> }>(
          '/api/reports/summary?from=2026-11-01&to=2026-11-02',
          { token: reporting.adminToken },
        )
      ).body.totals;
    while (((await totals())['events'] ?? 0) < events.length) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal((await totals())['logins'], 20);
    assert.deepEqual(await environment.receiveDeadLetters(1), []);
    assert.equal(reporting.reporting.consumerStats().failed, 0);
  });
});

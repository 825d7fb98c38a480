import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { CloudEvent } from '@shoal/kit';
import { loggedIn, notification, registered, eventAt } from './support/events.ts';
import { createTestEnvironment, startReporting } from './support/reporting-under-test.ts';
import type { ReportingUnderTest, TestEnvironment } from './support/reporting-under-test.ts';

interface Series {
  points: { bucket: string; value: number }[];
}

/** The non-zero points of a series, as `{ bucket: value }`. */
function nonZero(series: Series): Record<string, number> {
  return Object.fromEntries(
    series.points.filter((point) => point.value !== 0).map((point) => [point.bucket, point.value]),
  );
}

describe('consuming reporting-events: exact totals by event time', () => {
  let environment: TestEnvironment;
  const running: ReportingUnderTest[] = [];

  before(async () => {
    environment = await createTestEnvironment();
  });
  after(async () => {
    await Promise.all(running.map((instance) => instance.stop()));
    await environment?.dispose();
  });

  async function start(): Promise<ReportingUnderTest> {
    const instance = await startReporting(environment);
    running.push(instance);
    return instance;
  }

  it('When every event arrives three times, out of order, at two replicas, then each counts once in the bucket of its own time', async () => {
    const [alice, bob, carol] = [randomUUID(), randomUUID(), randomUUID()];
    const events: CloudEvent[] = [
      registered(alice, '2026-03-10T09:15:00Z'),
      loggedIn(alice, '2026-03-10T09:40:00Z'),
      notification('sent', alice, '2026-03-10T09:16:00Z'),
      registered(bob, '2026-03-10T10:05:00Z'),
      notification('failed', bob, '2026-03-10T10:06:00Z'),
      loggedIn(alice, '2026-03-10T10:20:00Z'),
      loggedIn(bob, '2026-03-10T10:30:00+02:00'), // 08:30 UTC
      loggedIn(carol, '2026-03-11T08:00:00Z'),
      eventAt('user.profile.updated', '2026-03-11T08:30:00Z', {
        id: carol,
        changed: ['bio'],
        profile: {},
      }),
      // Late: it happened two days before everything else and arrives last.
      registered(carol, '2026-03-08T23:59:59.999Z'),
    ];
    const first = await start();
    await start();
    // Three deliveries of each, interleaved so copies reach both replicas in no fixed order.
    const deliveries = [
      ...events.slice().reverse(),
      ...events,
      ...events.slice(3),
      ...events.slice(0, 3),
    ];
    await environment.sendEvents(deliveries);
    await waitForAll(deliveries.length);

    const api = first.api;
    const token = first.adminToken;
    const summary = await api.get('/api/reports/summary', { token });
    assert.equal(summary.status, 200);
    assert.deepEqual(summary.body['totals'], {
      events: 10,
      signups: 3,
      logins: 4,
      active_users: 3,
      notifications_sent: 1,
      notifications_failed: 1,
    });

    const day = await api.get<Record<string, number> & { totals: Record<string, number> }>(
      '/api/reports/summary?from=2026-03-10&to=2026-03-11',
      { token },
    );
    assert.deepEqual(day.body.totals, {
      events: 7,
      signups: 2,
      logins: 3,
      active_users: 2,
      notifications_sent: 1,
      notifications_failed: 1,
    });

    const hourlyLogins = await api.get<Series>(
      '/api/reports/timeseries?metric=logins&interval=hour&from=2026-03-10T00:00:00Z&to=2026-03-11T00:00:00Z',
      { token },
    );
    assert.equal(hourlyLogins.body.points.length, 24);
    assert.deepEqual(nonZero(hourlyLogins.body), {
      '2026-03-10T08:00:00.000Z': 1,
      '2026-03-10T09:00:00.000Z': 1,
      '2026-03-10T10:00:00.000Z': 1,
    });

    const hourlyActive = await api.get<Series>(
      '/api/reports/timeseries?metric=active_users&interval=hour&from=2026-03-10T08:00:00Z&to=2026-03-10T11:00:00Z',
      { token },
    );
    assert.deepEqual(nonZero(hourlyActive.body), {
      '2026-03-10T08:00:00.000Z': 1, // bob's login (10:30 at +02:00)
      '2026-03-10T09:00:00.000Z': 1, // alice registered and logged in: one user
      '2026-03-10T10:00:00.000Z': 2, // bob registered, alice logged in
    });

    const dailyActive = await api.get<Series>(
      '/api/reports/timeseries?metric=active_users&interval=day&from=2026-03-08&to=2026-03-12',
      { token },
    );
    assert.deepEqual(dailyActive.body.points, [
      { bucket: '2026-03-08T00:00:00.000Z', value: 1 },
      { bucket: '2026-03-09T00:00:00.000Z', value: 0 },
      { bucket: '2026-03-10T00:00:00.000Z', value: 2 },
      { bucket: '2026-03-11T00:00:00.000Z', value: 1 },
    ]);

    const byType = await api.get('/api/reports/events-by-type', { token });
    assert.deepEqual(byType.body['types'], [
      { type: 'auth.user.logged_in', count: 4 },
      { type: 'auth.user.registered', count: 3 },
      { type: 'notification.failed', count: 1 },
      { type: 'notification.sent', count: 1 },
      { type: 'user.profile.updated', count: 1 },
    ]);
  });

  it('When messages are poison (not a CloudEvent, no time, data missing the user), then they reach the DLQ and the good events in between are recorded', async () => {
    const [instance] = running;
    assert.ok(instance);
    const user = randomUUID();
    const noTime = { ...loggedIn(user, '2026-04-01T12:00:00Z') };
    delete noTime.time;
    const poison = [
      'not json at all',
      JSON.stringify(noTime),
      JSON.stringify(eventAt('auth.user.logged_in', '2026-04-01T12:00:00Z', { who: user })),
    ];
    const good = [registered(user, '2026-04-01T12:00:00Z'), loggedIn(user, '2026-04-01T12:01:00Z')];
    await environment.send([
      poison[0] as string,
      JSON.stringify(good[0]),
      poison[1] as string,
      JSON.stringify(good[1]),
      poison[2] as string,
    ]);

    const deadLetters: string[] = [];
    while (deadLetters.length < poison.length) {
      deadLetters.push(...(await environment.receiveDeadLetters(2)));
    }
    assert.deepEqual(deadLetters.sort(), [...poison].sort());

    const april = await instance.api.get<{ totals: Record<string, number> }>(
      '/api/reports/summary?from=2026-04-01&to=2026-04-02',
      { token: instance.adminToken },
    );
    assert.deepEqual(april.body.totals, {
      events: 2,
      signups: 1,
      logins: 1,
      active_users: 1,
      notifications_sent: 0,
      notifications_failed: 0,
    });
  });

  it('When a replica stops mid-stream and another takes over, then no event is lost or counted twice', async () => {
    await Promise.all(running.splice(0).map((instance) => instance.stop()));
    const users = Array.from({ length: 30 }, () => randomUUID());
    const events = Array.from({ length: 300 }, (_, index) =>
      loggedIn(
        users[index % users.length] as string,
        `2026-10-01T${String(index % 24).padStart(2, '0')}:00:00Z`,
      ),
    );
    const leaving = await start();
    await environment.sendEvents(events);
    while (leaving.reporting.consumerStats().processed < 30) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    // Stops like SIGTERM: in-flight batches finish, the rest stays on the queue.
    await leaving.stop();
    running.splice(running.indexOf(leaving), 1);
    const taking = await start();
    const totals = async () =>
      (
        await taking.api.get<{ totals: Record<string, number> }>(
          '/api/reports/summary?from=2026-10-01&to=2026-10-02',
          { token: taking.adminToken },
        )
      ).body.totals;
    while (((await totals())['events'] ?? 0) < events.length) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.deepEqual(await totals(), {
      events: 300,
      signups: 0,
      logins: 300,
      active_users: 30,
      notifications_sent: 0,
      notifications_failed: 0,
    });
  });

  /** Resolves once the replicas together have handled `count` messages. */
  async function waitForAll(count: number): Promise<void> {
    const handled = () =>
      running.reduce((sum, instance) => {
        const stats = instance.reporting.consumerStats();
        return sum + stats.processed + stats.failed;
      }, 0);
    while (handled() < count) await new Promise((resolve) => setTimeout(resolve, 50));
  }
});

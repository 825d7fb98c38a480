import assert from 'node:assert/strict';
import { createCloudEvent } from '@shoal/kit';
import { bucketCeiling, bucketStart, bucketStarts } from '../src/domain/buckets.ts';
import { PoisonEventError, factFromEvent } from '../src/domain/event-fact.ts';
import {
  activeUserIncrements,
  activeUsers,
  countIncrements,
} from '../src/domain/rollup-increments.ts';

const event = (type: string, data: unknown, time = '2026-03-10T10:30:00+01:00') =>
  createCloudEvent({ type, source: '/test', data, time });

describe('facts and rollup increments from events', () => {
  it('When an event has an offset time, then its buckets are the UTC hour and day it happened in', () => {
    const time = new Date('2026-03-10T00:30:00+01:00');
    assert.equal(bucketStart(time, 'hour').toISOString(), '2026-03-09T23:00:00.000Z');
    assert.equal(bucketStart(time, 'day').toISOString(), '2026-03-09T00:00:00.000Z');
    assert.equal(bucketCeiling(time, 'hour').toISOString(), '2026-03-10T00:00:00.000Z');
    const boundary = new Date('2026-03-10T00:00:00Z');
    assert.equal(bucketCeiling(boundary, 'day').getTime(), boundary.getTime());
    assert.equal(bucketStarts(boundary, new Date('2026-03-10T03:00:00Z'), 'hour').length, 3);
  });

  it('When a login arrives, then it counts as a login and its user as active', () => {
    const fact = factFromEvent(event('auth.user.logged_in', { id: 'u1' }));
    assert.deepEqual(fact.counts, ['logins']);
    assert.equal(fact.activeUserId, 'u1');
    assert.equal(fact.occurredAt.toISOString(), '2026-03-10T09:30:00.000Z');
  });

  it('When a notification outcome arrives, then it counts but makes nobody active', () => {
    const fact = factFromEvent(event('notification.failed', { userId: 'u1', reason: 'x' }));
    assert.deepEqual(fact.counts, ['notifications_failed']);
    assert.equal(fact.activeUserId, null);
  });

  it('When a type has no rule, then it is still a fact (counted in events and by type)', () => {
    const fact = factFromEvent(event('integration.acme.paid', { anything: true }));
    assert.deepEqual(fact.counts, []);
    assert.equal(fact.type, 'integration.acme.paid');
  });

  it('When an event lacks its time, has a bad time, or data without the user, then it is poison', () => {
    const noTime = event('auth.user.logged_in', { id: 'u1' });
    delete noTime.time;
    assert.throws(() => factFromEvent(noTime), PoisonEventError);
    assert.throws(
      () => factFromEvent(event('auth.user.logged_in', { id: 'u1' }, 'last tuesday')),
      /not an RFC 3339 timestamp/,
    );
    assert.throws(
      () => factFromEvent(event('auth.user.registered', { email: 'a@b.c' })),
      /data breaks the auth.user.registered contract: id/,
    );
    assert.throws(
      () => factFromEvent({ ...event('x', {}), id: 'i'.repeat(201) }),
      /longer than 200/,
    );
  });

  it('When two facts share buckets, then their increments are summed per row', () => {
    const facts = [
      factFromEvent(event('auth.user.logged_in', { id: 'u1' }, '2026-03-10T10:00:00Z')),
      factFromEvent(event('auth.user.logged_in', { id: 'u1' }, '2026-03-10T10:59:59Z')),
      factFromEvent(event('auth.user.logged_in', { id: 'u2' }, '2026-03-10T11:00:00Z')),
    ];
    const { metrics, types } = countIncrements(facts);
    const row = (metric: string, interval: string, bucket: string) =>
      metrics.find(
        (increment) =>
          increment.metric === metric &&
          increment.interval === interval &&
          increment.bucket.toISOString() === bucket,
      )?.amount;
    assert.equal(row('logins', 'hour', '2026-03-10T10:00:00.000Z'), 2);
    assert.equal(row('logins', 'hour', '2026-03-10T11:00:00.000Z'), 1);
    assert.equal(row('logins', 'day', '2026-03-10T00:00:00.000Z'), 3);
    assert.equal(row('events', 'day', '2026-03-10T00:00:00.000Z'), 3);
    assert.equal(types.length, 3); // one type: two hours + one day
    // u1 is one active user in its hour and, with u2, one of two in the day.
    const pairs = activeUsers(facts);
    assert.equal(pairs.length, 4);
    const active = activeUserIncrements(pairs);
    assert.deepEqual(
      active.map((increment) => [increment.interval, increment.amount]),
      [
        ['day', 2],
        ['hour', 1],
        ['hour', 1],
      ],
    );
  });
});

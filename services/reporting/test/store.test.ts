import { createTestDatabase } from '@shoal/testbed';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createCloudEvent } from '@shoal/kit';
import { factFromEvent } from '../src/domain/event-fact.ts';
import type { EventFact } from '../src/domain/event-fact.ts';
import { FactBatcher } from '../src/events/fact-batcher.ts';
import { MIGRATIONS, migrate } from '../src/store/migrations.ts';
import { PgReportStore } from '../src/store/pg-report-store.ts';
import type { TestDatabase } from '@shoal/testbed';

function login(userId: string, time: string): EventFact {
  return factFromEvent(
    createCloudEvent({ type: 'auth.user.logged_in', source: '/test', time, data: { id: userId } }),
  );
}

describe('the PostgreSQL report store', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let store: PgReportStore;

  before(async () => {
    database = await createTestDatabase('reporting');
    pool = new pg.Pool({ connectionString: database.url, max: 8 });
    store = new PgReportStore(pool);
  });
  after(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('When three replicas migrate an empty database at once, then each version is applied exactly once', async () => {
    const applied = await Promise.all([migrate(pool), migrate(pool), migrate(pool)]);
    assert.deepEqual(
      applied.flat().sort(),
      MIGRATIONS.map((migration) => migration.version),
    );
    assert.deepEqual(await migrate(pool), []);
  });

  it('When overlapping batches with shared buckets are recorded concurrently, then every event counts once and no batch deadlocks', async () => {
    const users = Array.from({ length: 20 }, () => randomUUID());
    const facts = users.flatMap((user, index) => [
      login(user, `2026-06-01T${String(index % 3).padStart(2, '0')}:10:00Z`),
      login(user, `2026-06-01T${String(index % 3).padStart(2, '0')}:20:00Z`),
    ]);
    // Eight writers, each with a shuffled, overlapping half of the facts.
    const batches = Array.from({ length: 8 }, (_, writer) =>
      facts.filter((_, index) => (index + writer) % 2 === 0 || index % 5 === writer % 5).reverse(),
    );
    const results = await Promise.all([...batches, facts].map((batch) => store.record(batch)));
    assert.equal(
      results.reduce((sum, result) => sum + result.recorded, 0),
      facts.length,
    );
    const totals = await store.summary({
      from: new Date('2026-06-01T00:00:00Z'),
      to: new Date('2026-06-02T00:00:00Z'),
    });
    assert.equal(totals.logins, 40);
    assert.equal(totals.active_users, 20);
    const hourly = await store.series(
      'active_users',
      'hour',
      new Date('2026-06-01T00:00:00Z'),
      new Date('2026-06-01T03:00:00Z'),
    );
    assert.deepEqual([...hourly.values()].sort(), [6, 7, 7]);
  });

  it('When a batch fails midway, then none of it is recorded (facts and rollups in one transaction)', async () => {
    const user = randomUUID();
    const good = login(user, '2026-07-01T10:00:00Z');
    // PostgreSQL refuses a NUL byte in text: this fact fails inside the transaction.
    const bad = { ...login(user, '2026-07-01T11:00:00Z'), eventId: 'bad\u0000id' };
    await assert.rejects(store.record([good, bad]));
    const range = { from: new Date('2026-07-01T00:00:00Z'), to: new Date('2026-07-02T00:00:00Z') };
    assert.equal((await store.summary(range)).events, 0);
    const facts = await pool.query('SELECT 1 FROM event_facts WHERE event_id = $1', [good.eventId]);
    assert.equal(facts.rowCount, 0);
    assert.deepEqual(await store.record([good]), { recorded: 1 });
    assert.equal((await store.summary(range)).events, 1);
  });

  it('When one fact of a shared batch is refused by the database, then the others of the batch are still recorded', async () => {
    const batcher = new FactBatcher(store, { maxBatch: 10, maxInFlight: 1 });
    const user = randomUUID();
    const good = [login(user, '2026-08-01T10:00:00Z'), login(user, '2026-08-01T11:00:00Z')];
    const bad = { ...login(user, '2026-08-01T12:00:00Z'), eventId: 'nul\u0000byte' };
    const outcomes = await Promise.allSettled(
      [good[0], bad, good[1]].map((fact) => batcher.add(fact!)),
    );
    assert.deepEqual(
      outcomes.map((outcome) => outcome.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    const totals = await store.summary({
      from: new Date('2026-08-01T00:00:00Z'),
      to: new Date('2026-08-02T00:00:00Z'),
    });
    assert.equal(totals.logins, 2);
  });
});

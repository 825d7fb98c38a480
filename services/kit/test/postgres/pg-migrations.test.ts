import assert from 'node:assert/strict';
import { createTestDatabase } from '@shoal/testbed';
import type { TestDatabase } from '@shoal/testbed';
import pg from 'pg';
import { migratePostgres } from '../../src/postgres/pg-migrations.ts';

const LOCK_KEY = 0x6b17_0001;
const STEPS = [
  { version: 2, name: 'second', sql: 'ALTER TABLE things ADD COLUMN label text' },
  { version: 1, name: 'first', sql: 'CREATE TABLE things (id int PRIMARY KEY)' },
];

describe('postgres: migratePostgres against the real PostgreSQL', function () {
  this.timeout(20_000);
  let database: TestDatabase;
  let pool: pg.Pool;

  beforeEach(async () => {
    database = await createTestDatabase('kit_migrations');
    pool = new pg.Pool({ connectionString: database.url, max: 6 });
  });
  afterEach(async () => {
    await pool.end();
    await database.drop();
  });

  it('When three replicas migrate at once, then each version is applied once, in version order, and a rerun applies nothing', async () => {
    const runs = await Promise.all(
      [1, 2, 3].map(() => migratePostgres(pool, { migrations: STEPS, lockKey: LOCK_KEY })),
    );
    assert.deepEqual(runs.flat().sort(), [1, 2]);
    assert.deepEqual(await migratePostgres(pool, { migrations: STEPS, lockKey: LOCK_KEY }), []);
    await pool.query("INSERT INTO things (id, label) VALUES (1, 'ok')");
  });

  it('When a version fails, then it is rolled back, not recorded, and the error names it', async () => {
    const broken = [...STEPS, { version: 3, name: 'broken', sql: 'CREATE TABLE x (; nonsense' }];
    await assert.rejects(
      migratePostgres(pool, { migrations: broken, lockKey: LOCK_KEY }),
      /migration 3 \(broken\) failed/,
    );
    const { rows } = await pool.query<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    assert.deepEqual(
      rows.map((row) => row.version),
      [1, 2],
    );
  });
});

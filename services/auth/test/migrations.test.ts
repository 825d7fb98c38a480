import { createTestDatabase } from '@shoal/testbed';
import assert from 'node:assert/strict';
import pg from 'pg';
import { MIGRATIONS, migrate } from '../src/store/migrations.ts';
import type { TestDatabase } from '@shoal/testbed';

describe('migrations: versioned, under an advisory lock', () => {
  let database: TestDatabase;
  const pools: pg.Pool[] = [];

  before(async () => {
    database = await createTestDatabase('auth');
  });
  after(async () => {
    await Promise.all(pools.map((pool) => pool.end()));
    await database?.drop();
  });

  function pool(): pg.Pool {
    const created = new pg.Pool({ connectionString: database.url, max: 2 });
    pools.push(created);
    return created;
  }

  it('When three replicas migrate an empty database at once, then each version is applied exactly once', async () => {
    const applied = await Promise.all([migrate(pool()), migrate(pool()), migrate(pool())]);
    const versions = MIGRATIONS.map((migration) => migration.version);
    assert.deepEqual(applied.flat().sort(), versions);
    const recorded = await pool().query<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    assert.deepEqual(
      recorded.rows.map((row) => row.version),
      versions,
    );
  });

  it('When the schema is current, then migrating again changes nothing', async () => {
    assert.deepEqual(await migrate(pool()), []);
  });

  it('When a new version fails, then it is rolled back, not recorded, and the error names it', async () => {
    const broken = [
      ...MIGRATIONS,
      { version: 99, name: 'broken', sql: 'CREATE TABLE users (id int)' },
    ];
    await assert.rejects(migrate(pool(), broken), /migration 99 \(broken\) failed/);
    const recorded = await pool().query('SELECT 1 FROM schema_migrations WHERE version = 99');
    assert.equal(recorded.rowCount, 0);
    // The lock was released: a fixed version goes through.
    const fixed = [
      ...MIGRATIONS,
      { version: 99, name: 'fixed', sql: 'CREATE TABLE extra (id int)' },
    ];
    assert.deepEqual(await migrate(pool(), fixed), [99]);
  });
});

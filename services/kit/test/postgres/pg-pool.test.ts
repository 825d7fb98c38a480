import assert from 'node:assert/strict';
import { loadDepsEnv } from '@shoal/testbed';
import pg from 'pg';
import { createPgPool } from '../../src/postgres/pg-pool.ts';
import { captureLogs } from '../support/log-capture.ts';

describe('postgres: createPgPool against the real PostgreSQL', function () {
  this.timeout(20_000);
  const { PG_URL } = loadDepsEnv();

  it('When the server drops a connection held inside a transaction, then the process lives on, the holder gets an error and the pool serves the next query', async () => {
    const logs = captureLogs();
    const pool = createPgPool({ connectionString: PG_URL, max: 2, logger: logs.logger });
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    try {
      const held = await pool.connect();
      await held.query('BEGIN');
      const { rows } = await held.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      // What a database restart does to every connection, here to just this one.
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
      await new Promise((resolve) => setTimeout(resolve, 300)); // the 'error' event arrives
      await assert.rejects(held.query('SELECT 1'));
      held.release(true);
      const after = await pool.query<{ one: number }>('SELECT 1 AS one');
      assert.equal(after.rows[0]?.one, 1);
      assert.ok(
        logs.lines().some((line) => line['msg'] === 'postgres connection lost'),
        'the lost connection is logged',
      );
    } finally {
      await admin.end();
      await pool.end();
    }
  });
});

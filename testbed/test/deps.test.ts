// One real round trip per testbed server with the clients the services use. These prove that
// `make deps-up` produced servers that behave like the real thing for what Shoal needs.
import assert from 'node:assert/strict';
import pg from 'pg';
import { Redis } from 'ioredis';
import { loadDepsEnv, uniqueName } from '../src/index.ts';

const env = loadDepsEnv();

describe('testbed data dependencies', () => {
  describe('PostgreSQL', () => {
    it('When a row is written in a transaction, then it reads back after commit', async () => {
      const client = new pg.Client({ connectionString: env.PG_URL });
      await client.connect();
      const table = uniqueName('roundtrip', '_');
      try {
        await client.query('BEGIN');
        await client.query(`CREATE TABLE ${table} (id serial PRIMARY KEY, body jsonb NOT NULL)`);
        await client.query(`INSERT INTO ${table} (body) VALUES ($1)`, [{ hello: 'shoal' }]);
        await client.query('COMMIT');
        const { rows } = await client.query<{ body: { hello: string } }>(
          `SELECT body FROM ${table}`,
        );
        assert.deepEqual(
          rows.map((row) => row.body),
          [{ hello: 'shoal' }],
        );
      } finally {
        await client.query(`DROP TABLE IF EXISTS ${table}`);
        await client.end();
      }
    });
  });

  describe('Redis', () => {
    it('When a key is set with a TTL, then it reads back and carries the TTL', async () => {
      const redis = new Redis(env.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await redis.connect();
      const key = uniqueName('roundtrip');
      try {
        await redis.set(key, 'shoal', 'EX', 60);
        assert.equal(await redis.get(key), 'shoal');
        const ttl = await redis.ttl(key);
        assert.ok(ttl > 0 && ttl <= 60, `ttl ${ttl}`);
      } finally {
        await redis.del(key);
        redis.disconnect();
      }
    });
  });
});

import pg from 'pg';
import { loadDepsEnv } from './deps-env.ts';
import { uniqueName } from './unique-name.ts';

/** A PostgreSQL database of its own for one test run, on the testbed server. */
export interface TestDatabase {
  /** Connection URL of the fresh, empty database. */
  readonly url: string;
  /** Drops the database (terminating leftover connections). */
  drop(): Promise<void>;
}

/** Creates an empty database named `<prefix>_<random>` so concurrent runs never share state. */
export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const adminUrl = loadDepsEnv().PG_URL;
  const name = uniqueName(prefix, '_');
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

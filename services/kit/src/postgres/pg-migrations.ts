import type { Pool } from 'pg';

/** One step of a schema; never edit a released one, add the next version instead. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export interface MigrateOptions {
  /** The schema's steps, in any order (applied by version). */
  readonly migrations: readonly Migration[];
  /** The advisory lock every replica of the service takes while migrating (fixed per service). */
  readonly lockKey: number;
  /** Runs while the lock is held, after the migrations (e.g. the kit's outbox table). */
  readonly alsoUnderLock?: () => Promise<void>;
}

/**
 * Brings a PostgreSQL schema up to date and returns the versions it applied. Replicas starting
 * together serialise on a session advisory lock; each version is applied in its own
 * transaction and recorded in `schema_migrations`, so a crash midway leaves a consistent schema
 * and the next start resumes. A failing version is rolled back and named in the error.
 */
export async function migratePostgres(pool: Pool, options: MigrateOptions): Promise<number[]> {
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [options.lockKey]);
    try {
      await client.query(`
        CREATE TABLE IF NOT EXISTS schema_migrations (
          version integer PRIMARY KEY,
          name text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`);
      const done = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const doneVersions = new Set(done.rows.map((row) => row.version));
      for (const migration of [...options.migrations].sort((a, b) => a.version - b.version)) {
        if (doneVersions.has(migration.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
            migration.version,
            migration.name,
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${migration.version} (${migration.name}) failed`, {
            cause: error,
          });
        }
        applied.push(migration.version);
      }
      await options.alsoUnderLock?.();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [options.lockKey]);
    }
  } finally {
    client.release();
  }
  return applied;
}

import type { Pool } from 'pg';

/** One step of the schema; never edit a released one, add the next version instead. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** The reporting service's schema, in order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'event facts',
    sql: `
      -- One row per event ever recorded: the primary key is what makes redelivery harmless.
      CREATE TABLE event_facts (
        event_id text PRIMARY KEY,
        type text NOT NULL,
        source text NOT NULL,
        occurred_at timestamptz NOT NULL,
        active_user_id text,
        recorded_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX event_facts_occurred_at ON event_facts (occurred_at);`,
  },
  {
    version: 2,
    name: 'rollups',
    sql: `
      -- Counters per bucket of event time (UTC hour or day), added to as facts arrive.
      CREATE TABLE metric_rollups (
        metric text NOT NULL,
        bucket_interval text NOT NULL CHECK (bucket_interval IN ('hour', 'day')),
        bucket timestamptz NOT NULL,
        value bigint NOT NULL CHECK (value >= 0),
        PRIMARY KEY (metric, bucket_interval, bucket)
      );
      CREATE TABLE event_type_rollups (
        type text NOT NULL,
        bucket_interval text NOT NULL CHECK (bucket_interval IN ('hour', 'day')),
        bucket timestamptz NOT NULL,
        count bigint NOT NULL CHECK (count >= 0),
        PRIMARY KEY (bucket_interval, bucket, type)
      );
      -- Who was active in which bucket: distinct active users are exact, not estimated.
      CREATE TABLE active_users (
        bucket_interval text NOT NULL CHECK (bucket_interval IN ('hour', 'day')),
        bucket timestamptz NOT NULL,
        user_id text NOT NULL,
        PRIMARY KEY (bucket_interval, bucket, user_id)
      );`,
  },
];

/** Arbitrary but fixed: the advisory lock every replica takes while migrating. */
const MIGRATION_LOCK_KEY = 0x5a0a_7e90;

/**
 * Brings the schema up to date. Replicas starting together serialise on a session advisory
 * lock; each version is applied in its own transaction and recorded in schema_migrations,
 * so a crash midway leaves a consistent schema and the next start resumes.
 */
export async function migrate(
  pool: Pool,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`
        CREATE TABLE IF NOT EXISTS schema_migrations (
          version integer PRIMARY KEY,
          name text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`);
      const done = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
      const doneVersions = new Set(done.rows.map((row) => row.version));
      for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
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
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
  return applied;
}

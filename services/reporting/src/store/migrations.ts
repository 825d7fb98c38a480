import { migratePostgres } from '@shoal/kit';
import type { Migration } from '@shoal/kit';
import type { Pool } from 'pg';

export type { Migration } from '@shoal/kit';

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

/** Brings the reporting schema up to date (the kit's runner). */
export function migrate(
  pool: Pool,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<number[]> {
  return migratePostgres(pool, { migrations, lockKey: MIGRATION_LOCK_KEY });
}

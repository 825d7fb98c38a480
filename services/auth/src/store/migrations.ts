import { migratePostgres } from '@shoal/kit';
import type { Migration } from '@shoal/kit';
import type { Pool } from 'pg';

export type { Migration } from '@shoal/kit';

/** The auth service's schema, in order. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'users',
    sql: `
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        -- keyset pagination follows creation order without relying on clock precision
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        email text NOT NULL UNIQUE CHECK (email = lower(btrim(email)) AND email <> ''),
        name text NOT NULL,
        roles text[] NOT NULL DEFAULT '{user}',
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );`,
  },
  {
    version: 2,
    name: 'signing keys',
    sql: `
      CREATE TABLE signing_keys (
        kid text PRIMARY KEY,
        public_jwk jsonb NOT NULL,
        -- PKCS#8 PEM sealed with AES-256-GCM under the configured key-encryption key
        private_key_sealed text NOT NULL,
        created_at timestamptz NOT NULL,
        retired_at timestamptz
      );
      -- at most one active key, whatever replicas race to create one
      CREATE UNIQUE INDEX signing_keys_one_active ON signing_keys ((true)) WHERE retired_at IS NULL;`,
  },
  {
    version: 3,
    name: 'refresh tokens',
    sql: `
      CREATE TABLE refresh_families (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoke_reason text
      );
      CREATE INDEX refresh_families_user ON refresh_families (user_id);
      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY,
        family_id uuid NOT NULL REFERENCES refresh_families (id) ON DELETE CASCADE,
        parent_id uuid REFERENCES refresh_tokens (id) ON DELETE CASCADE,
        -- SHA-256 of the token: a database leak does not leak usable tokens
        token_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        spent_at timestamptz
      );
      CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
      CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);`,
  },
];

/** Arbitrary but fixed: the advisory lock every replica takes while migrating. */
const MIGRATION_LOCK_KEY = 0x5a0a1_a07;

/** Brings auth's schema up to date (the kit's runner); `alsoUnderLock` runs under its lock. */
export function migrate(
  pool: Pool,
  migrations: readonly Migration[] = MIGRATIONS,
  alsoUnderLock: () => Promise<void> = async () => {},
): Promise<number[]> {
  return migratePostgres(pool, { migrations, lockKey: MIGRATION_LOCK_KEY, alsoUnderLock });
}

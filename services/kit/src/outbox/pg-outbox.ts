import type { Pool, QueryResultRow } from 'pg';
import type { OutboxEvent } from './outbox-event.ts';

/** Anything that runs SQL: a pg Client or PoolClient (inside YOUR transaction), or a Pool. */
export interface SqlRunner {
  query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[] }>;
}

export interface OutboxTableOptions {
  /** The outbox table, optionally schema-qualified. Default `outbox`. */
  table?: string;
}

const IDENTIFIER = /^([a-z_][a-z0-9_]{0,62}\.)?[a-z_][a-z0-9_]{0,62}$/;

/** The validated table name (it is spliced into SQL, so only plain identifiers pass). */
export function outboxTable(options: OutboxTableOptions = {}): string {
  const table = options.table ?? 'outbox';
  if (!IDENTIFIER.test(table)) {
    throw new TypeError(
      `outbox table "${table}" must be a plain lower-case identifier (schema.table allowed)`,
    );
  }
  return table;
}

/** The LISTEN/NOTIFY channel enqueueOutbox pings so relays wake without waiting to poll. */
export function outboxChannel(table: string): string {
  return `${table.replace('.', '_')}_pending`.slice(0, 63);
}

/**
 * Creates the outbox table and its pending-rows index if missing (idempotent, safe when
 * several replicas start at once: creation is serialised by an advisory lock).
 */
export async function ensureOutboxTable(
  pool: Pool,
  options: OutboxTableOptions = {},
): Promise<void> {
  const table = outboxTable(options);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`shoal-outbox:${table}`]);
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${table} (
        seq             bigserial   PRIMARY KEY,
        id              text        NOT NULL UNIQUE,
        queue           text        NOT NULL,
        payload         jsonb       NOT NULL,
        created_at      timestamptz NOT NULL DEFAULT now(),
        published_at    timestamptz,
        attempts        integer     NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error      text
      )`);
    const index = `${table.replace('.', '_')}_pending_idx`;
    await client.query(
      `CREATE INDEX IF NOT EXISTS ${index.replace(/^.*\./, '')} ON ${table} (next_attempt_at, seq) WHERE published_at IS NULL`,
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Writes events to the outbox with the caller's client, so they commit or roll back together
 * with the caller's own changes: call it inside your transaction, between BEGIN and COMMIT.
 * Relays listening on the table are notified at commit.
 */
export async function enqueueOutbox(
  clientInTransaction: SqlRunner,
  events: readonly OutboxEvent[],
  options: OutboxTableOptions = {},
): Promise<void> {
  if (events.length === 0) return;
  const table = outboxTable(options);
  const values: unknown[] = [];
  const rows = events.map(({ queue, event }, i) => {
    if (typeof queue !== 'string' || queue === '')
      throw new TypeError('enqueueOutbox: every event needs a queue');
    if (typeof event?.id !== 'string' || event.id === '')
      throw new TypeError('enqueueOutbox: every event needs an id');
    values.push(event.id, queue, JSON.stringify(event));
    return `($${i * 3 + 1}, $${i * 3 + 2}, $${i * 3 + 3}::jsonb)`;
  });
  await clientInTransaction.query(
    `INSERT INTO ${table} (id, queue, payload) VALUES ${rows.join(', ')}`,
    values,
  );
  // Delivered only if and when the transaction commits.
  await clientInTransaction.query('SELECT pg_notify($1, $2)', [outboxChannel(table), '']);
}

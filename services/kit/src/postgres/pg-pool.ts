import pg from 'pg';
import type { Logger } from '../logger/logger.ts';

export interface PgPoolOptions {
  connectionString: string;
  /** Connections at most. Default 10. */
  max?: number;
  /** How long a checkout waits for a connection before failing. Default 5 s. */
  connectionTimeoutMillis?: number;
  logger?: Logger | undefined;
}

/**
 * A PostgreSQL pool that survives the database going away. pg-pool listens for errors only on
 * idle connections; a connection checked out between two queries (inside a transaction) that
 * the server drops emits 'error' with nobody listening, which would crash the process. Every
 * connection gets a listener here: the error is logged, the holder's next query fails, and the
 * pool replaces the connection when it is released.
 */
export function createPgPool(options: PgPoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
  });
  const connectionLost = (error: Error) => {
    options.logger?.warn('postgres connection lost', { error: error.message });
  };
  pool.on('error', connectionLost);
  pool.on('connect', (client) => client.on('error', connectionLost));
  return pool;
}

/** Node socket errors meaning the server cannot be reached (or went away mid-query). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);

/** SQLSTATEs meaning "not now" rather than "never": the same statement may succeed later. */
const TRANSIENT_SQLSTATES = new Set([
  '53300', // too_many_connections
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovering)
  '40001', // serialization_failure
  '40P01', // deadlock_detected
]);

/**
 * Whether a PostgreSQL error is the database being away or busy (retry the same write
 * later) rather than the data being refused (retrying would fail the same way).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || TRANSIENT_SQLSTATES.has(code)) return true;
    if (code.startsWith('08')) return true; // connection_exception class
  }
  // node-postgres says so in words when a connection drops or cannot be had in time.
  return (
    typeof message === 'string' &&
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
      message,
    )
  );
}

// When a failed upstream call may be sent again. The classic case: the gateway reuses an idle
// keep-alive connection at the moment the upstream closes it (its keep-alive timer, or a
// replica draining during a rolling update); the request dies with ECONNRESET/EPIPE before a
// byte of answer came back. RFC 9112 §9.3.1 lets a client retry an idempotent request then,
// and nginx (proxy_next_upstream error) and Kong do. Bodies are never replayed: only requests
// without one qualify, so nothing is sent twice that could change state.
import type { IncomingMessage, ServerResponse } from 'node:http';

const IDEMPOTENT_WITHOUT_BODY = new Set(['GET', 'HEAD', 'OPTIONS']);
const STALE_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE']);

/** Attempts at most per request (the first and one retry). */
export const MAX_UPSTREAM_ATTEMPTS = 2;

/** Whether `error` on this request's upstream call is worth one more attempt. */
export function isRetryableUpstreamFailure(
  error: Error,
  req: IncomingMessage,
  res: ServerResponse,
  attempt: { count: number; reusedSocket: boolean },
): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    attempt.count < MAX_UPSTREAM_ATTEMPTS &&
    attempt.reusedSocket &&
    typeof code === 'string' &&
    STALE_CONNECTION_CODES.has(code) &&
    !res.headersSent &&
    IDEMPOTENT_WITHOUT_BODY.has(req.method ?? '') &&
    !hasBody(req)
  );
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

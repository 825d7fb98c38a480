// CORS at the edge for the origins an Ingress lists: preflights are answered here (they carry
// no credentials, so they must not meet the auth check), and simple responses get the
// Access-Control-Allow-Origin of the caller's origin when it is allowed.
import type { IncomingMessage, ServerResponse } from 'node:http';

const PREFLIGHT_MAX_AGE_SEC = '600';
const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';
const EXPOSED_HEADERS =
  'X-Request-Id, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After';
const HEADER_LIST = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;

/** Whether the request is a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method). */
export function isPreflight(req: IncomingMessage): boolean {
  return (
    req.method === 'OPTIONS' &&
    typeof req.headers.origin === 'string' &&
    typeof req.headers['access-control-request-method'] === 'string'
  );
}

/** The Access-Control-Allow-Origin value for this origin, or undefined when not allowed. */
export function allowedOrigin(
  origins: readonly string[],
  origin: string | undefined,
): string | undefined {
  if (origin === undefined || origins.length === 0) return undefined;
  if (origins[0] === '*') return '*';
  return origins.includes(origin) ? origin : undefined;
}

/** Sets the CORS headers of an actual (non-preflight) response; true if the origin is allowed. */
export function applyCors(
  req: IncomingMessage,
  res: ServerResponse,
  origins: readonly string[],
): boolean {
  if (origins.length === 0) return false;
  res.appendHeader('Vary', 'Origin');
  const allowed = allowedOrigin(origins, req.headers.origin);
  if (allowed === undefined) return false;
  res.setHeader('Access-Control-Allow-Origin', allowed);
  if (allowed !== '*') res.setHeader('Access-Control-Allow-Credentials', 'true');
  res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
  return true;
}

/** Answers a preflight: 204 with the allowances when the origin is allowed, else 403. */
export function answerPreflight(
  req: IncomingMessage,
  res: ServerResponse,
  origins: readonly string[],
): void {
  if (!applyCors(req, res, origins)) {
    res.statusCode = 403;
    res.setHeader('Content-Type', 'application/problem+json');
    res.end(
      JSON.stringify({
        type: 'https://shoal.dev/problems/cors-origin',
        title: 'Forbidden',
        status: 403,
        detail: 'origin not allowed',
      }),
    );
    return;
  }
  res.setHeader('Access-Control-Allow-Methods', ALLOWED_METHODS);
  const requested = req.headers['access-control-request-headers'];
  if (typeof requested === 'string' && HEADER_LIST.test(requested.trim())) {
    res.setHeader('Access-Control-Allow-Headers', requested.trim());
  }
  res.setHeader('Access-Control-Max-Age', PREFLIGHT_MAX_AGE_SEC);
  res.statusCode = 204;
  res.end();
}

// Header hygiene at the edge: what reaches a service is what the gateway vouches for.
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { TrustedProxies } from './trusted-proxies.ts';

/** Hop-by-hop headers (RFC 9110 §7.6.1) plus the non-standard ones proxies also drop. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'upgrade',
]);
/** Client-supplied forwarding headers, only kept from a trusted proxy. */
const FORWARDING = new Set([
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-forwarded-prefix',
  'x-real-ip',
  'forwarded',
]);
/** The prefix of headers only the platform itself may set. */
const INTERNAL_PREFIX = 'x-shoal-';
/** W3C trace context; a malformed one is dropped rather than passed on. */
const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;
/** Methods for which Node does not chunk a body by default: keep their Transfer-Encoding. */
const NO_DEFAULT_CHUNKING = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);

/** What the upstream request needs beyond the client's headers. */
export interface UpstreamHeaderContext {
  requestId: string;
  trustedProxies: TrustedProxies;
  /** A WebSocket upgrade keeps `Connection: upgrade` and `Upgrade`. */
  upgrade: boolean;
  /** `X-Shoal-*` names (lower case) the route lets through (`shoal.dev/pass-headers`). */
  passHeaders?: readonly string[] | undefined;
}

/**
 * Rewrites the inbound headers in place into what the upstream gets: hop-by-hop headers
 * (and those the Connection header names) removed, internal `X-Shoal-*` removed,
 * X-Forwarded-For/Proto/Host set (an untrusted peer's own are replaced), X-Request-Id set,
 * a malformed traceparent dropped.
 */
export function prepareUpstreamHeaders(req: IncomingMessage, context: UpstreamHeaderContext): void {
  const headers = req.headers;
  const peer = req.socket.remoteAddress;
  const trusted = context.trustedProxies.trusts(peer);
  const upgradeProtocol = first(headers.upgrade);

  const inboundFor = trusted ? joined(headers['x-forwarded-for']) : undefined;
  const inboundProto = trusted ? first(headers['x-forwarded-proto']) : undefined;
  const inboundHost = trusted ? first(headers['x-forwarded-host']) : undefined;
  const named = headers.connection === undefined ? undefined : connectionTokens(headers.connection);
  const dropEncoding =
    headers['transfer-encoding'] !== undefined && !NO_DEFAULT_CHUNKING.has(req.method ?? '');
  // One pass over the headers the client sent (the common request has no header to drop).
  for (const name in headers) {
    if (
      HOP_BY_HOP.has(name) ||
      (name.startsWith(INTERNAL_PREFIX) && context.passHeaders?.includes(name) !== true) ||
      (!trusted && FORWARDING.has(name)) ||
      (named !== undefined && named.includes(name)) ||
      // Node re-chunks the streamed body itself; leaving the header would make the proxy
      // close the upstream connection after each request.
      (dropEncoding && name === 'transfer-encoding')
    ) {
      delete headers[name];
    }
  }
  const peerAddress = peer ?? 'unknown';
  headers['x-forwarded-for'] = inboundFor ? `${inboundFor}, ${peerAddress}` : peerAddress;
  headers['x-forwarded-proto'] = inboundProto ?? 'http';
  const host = inboundHost ?? headers.host;
  if (host === undefined) delete headers['x-forwarded-host'];
  else headers['x-forwarded-host'] = host;

  headers['x-request-id'] = context.requestId;
  const traceparent = headers.traceparent;
  if (
    traceparent !== undefined &&
    !(typeof traceparent === 'string' && TRACEPARENT.test(traceparent))
  ) {
    delete headers.traceparent;
    delete headers.tracestate;
  }
  if (context.upgrade && upgradeProtocol !== undefined) {
    headers.connection = 'upgrade';
    headers.upgrade = upgradeProtocol;
  }
}

/** Hop-by-hop response headers a client must not get (Connection itself is Node's to set). */
const RESPONSE_HOP_BY_HOP = new Set([
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'trailer',
  'te',
]);

/** Removes from an upstream response what must not reach the client. */
export function cleanResponseHeaders(
  headers: OutgoingHttpHeaders | IncomingMessage['headers'],
): void {
  const connection = headers['connection'];
  const named =
    typeof connection === 'string'
      ? connectionTokens(connection).filter((name) => name !== 'close' && name !== 'keep-alive')
      : undefined;
  for (const name in headers) {
    if (
      RESPONSE_HOP_BY_HOP.has(name) ||
      name.startsWith(INTERNAL_PREFIX) ||
      (named !== undefined && named.includes(name))
    ) {
      delete headers[name];
    }
  }
}

function connectionTokens(connection: string | undefined): string[] {
  if (connection === undefined) return [];
  return connection
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter(Boolean);
}

function joined(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value.join(', ') : value;
  return text.trim() === '' ? undefined : text;
}

function first(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  const head = text?.split(',')[0]?.trim();
  return head === undefined || head === '' ? undefined : head;
}

// What the gateway knows about a request it is serving, from routing to the access log.
// Kept under a symbol on the request: never enumerated, so it cannot leak into the upstream
// call, and cheaper to reach than a WeakMap entry (it is read a few times per request).
import type { IncomingMessage } from 'node:http';
import type { Transform } from 'node:stream';
import type { SpanContext } from '@opentelemetry/api';
import type { Route } from '../routes/route-table.ts';

/** Per-request facts, filled in as the request moves through the gateway. */
export interface EdgeRequest {
  /** The request id (a well-formed inbound X-Request-Id, else generated). */
  requestId: string;
  /** process.hrtime.bigint() when the request arrived. */
  started: bigint;
  /** The server span's ids, for the log line (undefined without a valid trace context). */
  spanContext: SpanContext | undefined;
  route: Route | undefined;
  /** The verified token's subject, when there was one. */
  subject: string | undefined;
  /** Counts a chunked body on its way upstream (only when it has no Content-Length). */
  bodyCounter: Transform | undefined;
  /** Set once the counted body passed its limit. */
  bodyError: Error | undefined;
  /** Bytes of response body relayed from the upstream. */
  upstreamBytes: number;
  /** Why the upstream call failed (`timeout`, `econnrefused`...), for the log. */
  upstreamError: string | undefined;
  /** Why the gateway refused the request, for the error responder. */
  refusal: unknown;
  /** Upstream calls made so far, and whether the last one went out on a reused connection. */
  upstreamAttempts: number;
  reusedSocket: boolean;
}

const STATE = Symbol('shoal.edgeRequest');

/** A request carrying its gateway state. */
type WithState = IncomingMessage & { [STATE]?: EdgeRequest };

/** The state of a request, created on first use. */
export function edgeRequest(req: IncomingMessage): EdgeRequest {
  let state = (req as WithState)[STATE];
  if (state === undefined) {
    state = {
      requestId: '',
      started: process.hrtime.bigint(),
      spanContext: undefined,
      route: undefined,
      subject: undefined,
      bodyCounter: undefined,
      bodyError: undefined,
      upstreamBytes: 0,
      upstreamError: undefined,
      refusal: undefined,
      upstreamAttempts: 0,
      reusedSocket: false,
    };
    (req as WithState)[STATE] = state;
  }
  return state;
}

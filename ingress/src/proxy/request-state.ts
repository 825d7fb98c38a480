// What the gateway knows about a request it is serving, from routing to the access log.
// Kept in a WeakMap beside the request (never on it), so nothing leaks into the upstream call.
import type { IncomingMessage } from 'node:http';
import type { Transform } from 'node:stream';
import type { Route } from '../routes/route-table.ts';

/** Per-request facts, filled in as the request moves through the gateway. */
export interface EdgeRequest {
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
}

const states = new WeakMap<IncomingMessage, EdgeRequest>();

/** The state of a request, created on first use. */
export function edgeRequest(req: IncomingMessage): EdgeRequest {
  let state = states.get(req);
  if (state === undefined) {
    state = {
      route: undefined,
      subject: undefined,
      bodyCounter: undefined,
      bodyError: undefined,
      upstreamBytes: 0,
      upstreamError: undefined,
    };
    states.set(req, state);
  }
  return state;
}

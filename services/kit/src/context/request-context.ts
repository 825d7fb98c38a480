import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from '../logger/logger.ts';

/** What the kit remembers about the request being served, for code far from `req`. */
export interface RequestContext {
  /** The request's id (kept from a well-formed inbound `X-Request-Id`, else generated). */
  readonly requestId: string;
  /** A child logger whose every line carries this request's `request_id`. */
  readonly logger: Logger;
}

/**
 * The per-request store: the request-id middleware runs the rest of the request inside
 * `requestContext.run(...)`, so anything awaited from a handler can read it.
 */
export const requestContext = new AsyncLocalStorage<RequestContext>();

/** The id of the request being served, or undefined outside a request (e.g. in a consumer). */
export function getRequestId(): string | undefined {
  return requestContext.getStore()?.requestId;
}

/** The current request's logger, or `fallback` outside a request. */
export function getRequestLogger(fallback: Logger): Logger {
  return requestContext.getStore()?.logger ?? fallback;
}

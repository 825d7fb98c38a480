import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { requestContext } from '../context/request-context.ts';
import type { RequestContext } from '../context/request-context.ts';
import type { Logger } from '../logger/logger.ts';
import { createRequestLogger } from '../logger/request-logger.ts';

/** The header that carries the request id in and out. */
export const REQUEST_ID_HEADER = 'X-Request-Id';

/** Inbound ids we keep: short, and safe to echo into headers and logs. */
const WELL_FORMED_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** The inbound id when it is well-formed, else a fresh UUID. */
export function chooseRequestId(inbound: string | string[] | undefined): string {
  return typeof inbound === 'string' && WELL_FORMED_REQUEST_ID.test(inbound)
    ? inbound
    : randomUUID();
}

/**
 * Gives every request an id (kept from a well-formed `X-Request-Id`, else generated), echoes
 * it on the response, and runs the rest of the request inside the request context.
 */
export function requestIdMiddleware(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const requestId = chooseRequestId(req.headers['x-request-id']);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    res.locals['requestId'] = requestId;
    // The child logger is made on first use: most requests never ask for it, and making one
    // costs about as much as the rest of this middleware.
    let requestLogger: Logger | undefined;
    const context: RequestContext = {
      requestId,
      get logger() {
        return (requestLogger ??= createRequestLogger(logger, requestId));
      },
    };
    requestContext.run(context, next);
  };
}

import type { RequestHandler } from 'express';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { getRequestId } from '../context/request-context.ts';
import type { Logger } from '../logger/logger.ts';
import { routeTemplate } from './route-template.ts';

/** The response size from its Content-Length (Express sets it for send/json), else 0. */
function responseBytes(header: number | string | string[] | undefined): number {
  const bytes = Number(Array.isArray(header) ? header[0] : header);
  return Number.isFinite(bytes) ? bytes : 0;
}

/**
 * One JSON line per request once it ends: method, route, status, duration_ms, bytes,
 * request_id, trace_id. Aborted requests are logged too, with `aborted: true`.
 * Mount after the request-id middleware.
 */
export function accessLogMiddleware(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    // The request id as a field on the service logger: a per-request child logger would give
    // the same line at a third more cost (winston's child write path).
    const requestId = getRequestId();
    // The server span is active now; at 'finish' an inner span may be, so capture it here.
    let spanContext = trace.getActiveSpan()?.spanContext();
    if (spanContext !== undefined && !isSpanContextValid(spanContext)) spanContext = undefined;
    let logged = false;
    const log = (aborted: boolean): void => {
      if (logged) return;
      logged = true;
      const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info('request', {
        ...(requestId === undefined ? {} : { request_id: requestId }),
        method: req.method,
        route: routeTemplate(req),
        status: res.statusCode,
        duration_ms: Math.round(durationMs * 1000) / 1000,
        bytes: responseBytes(res.getHeader('content-length')),
        ...(aborted ? { aborted: true } : {}),
        ...(spanContext === undefined
          ? {}
          : { trace_id: spanContext.traceId, span_id: spanContext.spanId }),
      });
    };
    res.once('finish', () => log(false));
    res.once('close', () => log(!res.writableFinished));
    next();
  };
}

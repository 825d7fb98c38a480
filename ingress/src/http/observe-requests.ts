// One access-log line and one metrics sample per request, once it ends (or the client left).
import type { RequestHandler } from 'express';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { getRequestLogger } from '@shoal/kit';
import type { Logger } from '@shoal/kit';
import { edgeRequest } from '../proxy/request-state.ts';
import type { GatewayMetrics } from './gateway-metrics.ts';

/** The route label of requests that matched no route (bounded metric cardinality). */
export const UNMATCHED = 'unmatched';

/**
 * Logs `request` with method, route, status, duration_ms, bytes, request_id, trace_id,
 * subject and upstream, and records the RED metrics by route. Mount after the request id.
 */
export function observeRequests(logger: Logger, metrics: GatewayMetrics): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const requestLogger = getRequestLogger(logger);
    const span = trace.getActiveSpan();
    // Without a tracing SDK the API hands out all-zero ids: log none rather than zeros.
    const candidate = span?.spanContext();
    const spanContext =
      candidate !== undefined && isSpanContextValid(candidate) ? candidate : undefined;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const state = edgeRequest(req);
      const route = state.route?.name ?? UNMATCHED;
      const status = res.statusCode;
      const labels = { method: req.method, route, status: String(status) };
      metrics.requestsTotal.inc(labels);
      metrics.requestDuration.observe(labels, seconds);
      if (state.upstreamError !== undefined) {
        metrics.upstreamFailures.inc({ route, reason: state.upstreamError });
      }
      if (status === 429) metrics.rateLimited.inc({ route });
      if (state.route !== undefined) span?.setAttribute('http.route', route);
      const declared = Number(res.getHeader('content-length'));
      requestLogger.info('request', {
        method: req.method,
        route,
        status,
        duration_ms: Math.round(seconds * 1e6) / 1000,
        bytes: Number.isFinite(declared) ? declared : state.upstreamBytes,
        ...(state.subject === undefined ? {} : { subject: state.subject }),
        ...(state.route === undefined ? {} : { upstream: state.route.upstream.host }),
        ...(state.upstreamError === undefined ? {} : { upstream_error: state.upstreamError }),
        ...(res.writableFinished ? {} : { aborted: true }),
        ...(spanContext === undefined
          ? {}
          : { trace_id: spanContext.traceId, span_id: spanContext.spanId }),
      });
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  };
}

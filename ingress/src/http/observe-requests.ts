// One access-log line and one metrics sample per request, once it ends (or the client left).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { edgeRequest } from '../proxy/request-state.ts';
import type { EdgeRequest } from '../proxy/request-state.ts';
import type { AccessLog } from './access-log.ts';
import type { GatewayMetrics } from './gateway-metrics.ts';

/** The route label of requests that matched no route (bounded metric cardinality). */
export const UNMATCHED = 'unmatched';

/** Status codes as label strings, made once. */
const STATUS_LABELS = new Map<number, string>();

function statusLabel(status: number): string {
  let label = STATUS_LABELS.get(status);
  if (label === undefined) {
    label = String(status);
    STATUS_LABELS.set(status, label);
  }
  return label;
}

/**
 * Logs `request` with method, route, status, duration_ms, bytes, request_id, trace_id,
 * subject and upstream, and records the RED metrics by route (the Ingress rule).
 */
export class RequestObserver {
  readonly #accessLog: AccessLog;
  readonly #metrics: GatewayMetrics;
  /** One listener shared by every response (no closure per request). */
  readonly #onClose: (this: ServerResponse) => void;

  constructor(accessLog: AccessLog, metrics: GatewayMetrics) {
    this.#accessLog = accessLog;
    this.#metrics = metrics;
    const finish = this.#finish.bind(this);
    this.#onClose = function (this: ServerResponse) {
      finish(this.req, this);
    };
  }

  /** Starts observing a request; call where it arrives, with the request id already chosen. */
  watch(res: ServerResponse, state: EdgeRequest): void {
    // Without a tracing SDK the API hands out all-zero ids: log none rather than zeros.
    const spanContext = trace.getActiveSpan()?.spanContext();
    if (spanContext !== undefined && isSpanContextValid(spanContext)) {
      state.spanContext = spanContext;
    }
    // 'close' follows 'finish' on every response, and is the only event when the client left.
    res.once('close', this.#onClose);
  }

  #finish(req: IncomingMessage, res: ServerResponse): void {
    const state = edgeRequest(req);
    const seconds = Number(process.hrtime.bigint() - state.started) / 1e9;
    const route = state.route?.name ?? UNMATCHED;
    const status = res.statusCode;
    const labels = { method: req.method ?? 'GET', route, status: statusLabel(status) };
    this.#metrics.requestsTotal.inc(labels);
    this.#metrics.requestDuration.observe(labels, seconds);
    if (state.upstreamError !== undefined) {
      this.#metrics.upstreamFailures.inc({ route, reason: state.upstreamError });
    }
    if (status === 429) this.#metrics.rateLimited.inc({ route });
    const declared = Number(res.getHeader('content-length'));
    const { spanContext } = state;
    this.#accessLog.write({
      method: labels.method,
      route,
      status,
      durationMs: Math.round(seconds * 1e6) / 1000,
      bytes: Number.isFinite(declared) ? declared : state.upstreamBytes,
      requestId: state.requestId,
      traceId: spanContext?.traceId,
      spanId: spanContext?.spanId,
      subject: state.subject,
      upstream: state.route?.upstream.host,
      upstreamError: state.upstreamError,
      aborted: !res.writableFinished,
    });
  }
}

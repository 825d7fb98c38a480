import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { RequestHandler } from 'express';
import { routeTemplate } from '../http/route-template.ts';

/** Buckets (seconds) from 5 ms to 10 s: fine enough for APIs, few enough for Prometheus. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A service's own Prometheus registry with its RED metrics and the default process metrics. */
export interface ServiceMetrics {
  readonly registry: Registry;
  readonly requestsTotal: Counter<'method' | 'route' | 'status'>;
  readonly requestDuration: Histogram<'method' | 'route' | 'status'>;
}

/**
 * Creates the registry (one per service, never the global one, so tests and several
 * services in one process don't collide) with `service` as a default label.
 */
export function createServiceMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status'] as const;
  return {
    registry,
    requestsTotal: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests served, by method, route template and status code.',
      labelNames,
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration in seconds, by method, route template and status code.',
      labelNames,
      buckets: DURATION_BUCKETS,
      registers: [registry],
    }),
  };
}

/** Records every finished request under its route template (`unmatched` when none matched). */
export function redMetricsMiddleware(metrics: ServiceMetrics): RequestHandler {
  return (req, res, next) => {
    const stopTimer = metrics.requestDuration.startTimer();
    res.once('finish', () => {
      const labels = {
        method: req.method,
        route: routeTemplate(req),
        status: String(res.statusCode),
      };
      metrics.requestsTotal.inc(labels);
      stopTimer(labels);
    });
    next();
  };
}

/** `GET /metrics` in the Prometheus text format. */
export function metricsHandler(metrics: ServiceMetrics): RequestHandler {
  return async (_req, res) => {
    res.type(metrics.registry.contentType);
    res.send(await metrics.registry.metrics());
  };
}

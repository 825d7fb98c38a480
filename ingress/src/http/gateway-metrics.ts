// The gateway's Prometheus metrics: RED by route (the Ingress rule, never the raw URL) and
// status, plus what operators need to see about the edge's own dependencies.
import { Counter, Gauge } from 'prom-client';
import { createServiceMetrics } from '@shoal/kit';
import type { ServiceMetrics } from '@shoal/kit';

/** Everything the gateway counts. */
export interface GatewayMetrics extends ServiceMetrics {
  /** Requests decided without Redis, by the policy applied (local, open, closed). */
  readonly rateLimitRedisDown: Counter<'policy'>;
  /** Requests refused by the rate limiter. */
  readonly rateLimited: Counter<'route'>;
  /** Upstream failures by route and reason (timeout, econnrefused, ...). */
  readonly upstreamFailures: Counter<'route' | 'reason'>;
  /** Kubernetes API errors the watcher recovered from, by kind (list, watch, status). */
  readonly routeSourceErrors: Counter<'kind'>;
  /** Routes currently served. */
  readonly routes: Gauge;
}

/** Creates the gateway's registry (default label service=<SERVICE_NAME>). */
export function createGatewayMetrics(service: string): GatewayMetrics {
  const base = createServiceMetrics(service);
  const registers = [base.registry];
  return {
    ...base,
    rateLimitRedisDown: new Counter({
      name: 'gateway_rate_limit_redis_down_total',
      help: 'Rate-limit decisions taken while Redis was unreachable, by the policy applied.',
      labelNames: ['policy'],
      registers,
    }),
    rateLimited: new Counter({
      name: 'gateway_rate_limited_total',
      help: 'Requests refused with 429, by route.',
      labelNames: ['route'],
      registers,
    }),
    upstreamFailures: new Counter({
      name: 'gateway_upstream_failures_total',
      help: 'Upstream calls that failed, by route and reason.',
      labelNames: ['route', 'reason'],
      registers,
    }),
    routeSourceErrors: new Counter({
      name: 'gateway_route_source_errors_total',
      help: 'Kubernetes API errors the route watcher recovered from, by kind.',
      labelNames: ['kind'],
      registers,
    }),
    routes: new Gauge({
      name: 'gateway_routes',
      help: 'Routes currently served.',
      registers,
    }),
  };
}

import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Express } from 'express';
import type { BaseConfig } from '../config/base-schema.ts';
import { trustProxySetting } from '../config/trust-proxy.ts';
import { notFoundHandler, problemMiddleware } from '../errors/error-middleware.ts';
import { Health } from '../health/health.ts';
import type { HealthCheck } from '../health/health.ts';
import { accessLogMiddleware } from '../http/access-log.ts';
import { serviceBodyMiddleware } from '../http/body-parser.ts';
import { requestIdMiddleware } from '../http/request-id.ts';
import { spanRouteMiddleware } from '../http/span-route.ts';
import { Lifecycle } from '../lifecycle/lifecycle.ts';
import type { Closer, Worker } from '../lifecycle/worker.ts';
import { createLogger } from '../logger/logger.ts';
import type { Logger } from '../logger/logger.ts';
import {
  createServiceMetrics,
  metricsHandler,
  redMetricsMiddleware,
} from '../metrics/http-metrics.ts';
import type { ServiceMetrics } from '../metrics/http-metrics.ts';

/** What a service's `routes` callback gets besides the app. */
export interface ServiceContext<Config extends BaseConfig> {
  config: Config;
  logger: Logger;
  health: Health;
  metrics: ServiceMetrics;
  /** Registers a worker (started after listen, stopped on shutdown before pools close). */
  manage(worker: Worker): void;
  /** Registers a pool or client to close on shutdown, after workers. */
  onClose(closer: Closer): void;
}

/** Options of createService. */
export interface ServiceOptions<Config extends BaseConfig> {
  /** The parsed configuration (loadConfig on a schema that extends baseConfigSchema). */
  config: Config;
  /** Mounts the service's own routes; runs after body parsing, before the 404/error handlers. */
  routes: (app: Express, context: ServiceContext<Config>) => void;
  /** Readiness checks by name (more can be added with `health.addCheck`). */
  checks?: Record<string, HealthCheck>;
  /** Long-running workers: started after listen, stopped on shutdown. */
  workers?: Worker[];
  /** Closers run on shutdown after workers stop, e.g. `() => pool.end()`. */
  onClose?: Closer[];
  /** Defaults to a JSON-lines logger on stdout at LOG_LEVEL. */
  logger?: Logger;
  /** Per-check /readyz timeout (default 2000 ms). */
  checkTimeoutMs?: number;
  /**
   * Parse JSON and form bodies before the routes (default true). `false` mounts no body
   * parser at all, so request bodies stay unread streams (a proxy pipes them on as they come).
   */
  parseBodies?: boolean;
}

/** A wired service, not yet listening. */
export interface Service<Config extends BaseConfig> extends ServiceContext<Config> {
  readonly app: Express;
  /** Listens (on `port`, default PORT; 0 = any free port), installs signal handlers, starts workers. */
  start(options?: {
    port?: number;
    host?: string;
    handleSignals?: boolean;
  }): Promise<{ url: string; port: number }>;
  /** Shuts down like SIGTERM does, without the readiness delay and without exiting. */
  stop(): Promise<void>;
}

/**
 * Wires a Shoal service: request ids, access log, RED metrics, JSON and form bodies with a limit,
 * /livez, /readyz, /metrics, the service's routes, 404 and problem+json errors, and the
 * graceful shutdown. Does no I/O until start().
 */
export function createService<Config extends BaseConfig>(
  options: ServiceOptions<Config>,
): Service<Config> {
  const { config } = options;
  const logger =
    options.logger ?? createLogger({ service: config.SERVICE_NAME, level: config.LOG_LEVEL });
  const health = new Health(
    options.checkTimeoutMs === undefined ? {} : { checkTimeoutMs: options.checkTimeoutMs },
  );
  for (const [name, check] of Object.entries(options.checks ?? {})) health.addCheck(name, check);
  const metrics = createServiceMetrics(config.SERVICE_NAME);
  const lifecycle = new Lifecycle({
    logger,
    health,
    timing: { delayMs: config.SHUTDOWN_DELAY_MS, timeoutMs: config.SHUTDOWN_TIMEOUT_MS },
  });
  for (const worker of options.workers ?? []) lifecycle.manage(worker);
  for (const closer of options.onClose ?? []) lifecycle.onClose(closer);

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', trustProxySetting(config.TRUST_PROXY));
  app.use(
    requestIdMiddleware(logger),
    spanRouteMiddleware(),
    accessLogMiddleware(logger),
    redMetricsMiddleware(metrics),
    lifecycle.drainingMiddleware(),
  );
  app.get('/livez', health.livenessHandler());
  app.get('/readyz', health.readinessHandler());
  app.get('/metrics', metricsHandler(metrics));
  if (options.parseBodies ?? true) app.use(serviceBodyMiddleware(config.BODY_LIMIT));

  const context: ServiceContext<Config> = {
    config,
    logger,
    health,
    metrics,
    manage: (worker) => lifecycle.manage(worker),
    onClose: (closer) => lifecycle.onClose(closer),
  };
  options.routes(app, context);
  app.use(notFoundHandler());
  app.use(problemMiddleware(logger));

  return {
    ...context,
    app,
    async start(startOptions = {}) {
      const server = createServer(app);
      lifecycle.attach(server);
      server.listen(startOptions.port ?? config.PORT, startOptions.host ?? config.HOST);
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      const host = startOptions.host ?? config.HOST;
      const urlHost =
        host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
      if (startOptions.handleSignals ?? true) lifecycle.handleSignals();
      lifecycle.startWorkers();
      logger.info('listening', { port, host });
      return { url: `http://${urlHost}:${port}`, port };
    },
    async stop() {
      lifecycle.releaseSignals();
      await lifecycle.shutdown({ delayMs: 0 });
    },
  };
}

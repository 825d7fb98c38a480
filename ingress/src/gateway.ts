// Wires the gateway from its parts: the front handler (request ids, access log and metrics,
// route match, policies, the proxy), Express for /docs and problem+json refusals, the route
// source, the admin listener (probes, /metrics) and the kit's graceful shutdown. No I/O
// until start().
import { once } from 'node:events';
import { createServer } from 'node:http';
import { answerClientError } from './http/client-error.ts';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Express } from 'express';
import { Redis } from 'ioredis';
import {
  Health,
  Lifecycle,
  createLogger,
  createTokenVerifier,
  metricsHandler,
  problemMiddleware,
  routeNotFoundProblem,
  trustProxySetting,
} from '@shoal/kit';
import type { Logger, TokenVerifier } from '@shoal/kit';
import type { GatewayConfig } from './config.ts';
import { mountDocs } from './docs/swagger-docs.ts';
import { createGatewayMetrics } from './http/gateway-metrics.ts';
import type { GatewayMetrics } from './http/gateway-metrics.ts';
import { AccessLog } from './http/access-log.ts';
import { batchedStdout } from './http/batched-stdout.ts';
import { RequestObserver } from './http/observe-requests.ts';
import { EdgeAuth } from './policy/edge-auth.ts';
import { EdgeRateLimit } from './policy/edge-rate-limit.ts';
import { createEdgeProxy } from './proxy/edge-proxy.ts';
import { edgeUpgradeHandler } from './proxy/edge-handler.ts';
import { frontHandler } from './proxy/front-handler.ts';
import { edgeRequest } from './proxy/request-state.ts';
import { TrustedProxies } from './proxy/trusted-proxies.ts';
import { createUpstreamAgent } from './proxy/upstream-agent.ts';
import type { RouteSource } from './routes/route-source.ts';
import { RouteTable } from './routes/route-table.ts';
import type { Route } from './routes/route-table.ts';

/** How long start() waits for Redis before serving (after that, the "Redis down" policy). */
const REDIS_START_WAIT_MS = 2000;

/** Whether `promise` settled within `ms` (it keeps running either way). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Options of createGateway. */
export interface GatewayOptions {
  config: GatewayConfig;
  source: RouteSource;
  /** Where JSON log lines go, access lines included. Default: stdout, batched per event-loop turn. */
  logStream?: NodeJS.WritableStream;
  /** Default: a kit logger on `logStream` at LOG_LEVEL. */
  logger?: Logger;
  /** Default: verifies with the JWKS at JWKS_URL (none configured: auth routes answer 503). */
  verifier?: TokenVerifier;
}

/** A wired gateway, not yet listening. */
export interface Gateway {
  readonly app: Express;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  /** The routes served right now. */
  routes(): RouteTable;
  /** Loads the first routes, then listens on the public and admin ports. */
  start(options?: {
    port?: number;
    adminPort?: number;
    host?: string;
    handleSignals?: boolean;
  }): Promise<{
    url: string;
    adminUrl: string;
  }>;
  /** Shuts down like SIGTERM does; without the readiness delay unless `delayMs` is given. */
  stop(options?: { delayMs?: number }): Promise<void>;
}

/** Builds the gateway. */
export function createGateway(options: GatewayOptions): Gateway {
  const { config, source } = options;
  const logStream = options.logStream ?? batchedStdout();
  const logger =
    options.logger ??
    createLogger({ service: config.SERVICE_NAME, level: config.LOG_LEVEL, stream: logStream });
  const accessLog = new AccessLog({
    service: config.SERVICE_NAME,
    stream: logStream,
    enabled: logger.isInfoEnabled(),
  });
  const metrics = createGatewayMetrics(config.SERVICE_NAME);
  const health = new Health();
  const lifecycle = new Lifecycle({
    logger,
    health,
    timing: { delayMs: config.SHUTDOWN_DELAY_MS, timeoutMs: config.SHUTDOWN_TIMEOUT_MS },
  });

  let table = RouteTable.empty();
  let synced = false;
  health.addCheck('routes', () =>
    synced
      ? Promise.resolve()
      : Promise.reject(new Error(`no routes loaded yet from ${source.description}`)),
  );

  const redis =
    config.REDIS_URL === undefined
      ? undefined
      : new Redis(config.REDIS_URL, {
          lazyConnect: true,
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          enableAutoPipelining: true, // concurrent requests share one round trip
          connectTimeout: 2000,
        });
  redis?.on('error', () => {
    // ioredis reconnects by itself; the limiter logs and counts what it decides meanwhile.
  });
  const verifier =
    options.verifier ??
    (config.JWKS_URL === undefined
      ? undefined
      : createTokenVerifier({
          jwksUrl: config.JWKS_URL,
          issuer: config.JWT_ISSUER,
          audience: config.JWT_AUDIENCE,
        }));
  if (verifier === undefined) {
    logger.warn('JWKS_URL is not set: routes with shoal.dev/auth required or optional answer 503', {
      default_auth: config.DEFAULT_AUTH,
    });
  }
  const trustedProxies = new TrustedProxies(trustProxySetting(config.TRUST_PROXY));
  const agent = createUpstreamAgent({
    idleMs: config.UPSTREAM_KEEPALIVE_MS,
    maxSockets: config.UPSTREAM_MAX_SOCKETS,
  });
  const deps = {
    routes: () => table,
    auth: new EdgeAuth(verifier, config.TOKEN_CACHE_SEC),
    rateLimit: new EdgeRateLimit({
      redis,
      whenRedisDown: config.RATE_LIMIT_REDIS_DOWN,
      redisTimeoutMs: config.RATE_LIMIT_REDIS_TIMEOUT_MS,
      logger,
      onRedisDown: (policy) => metrics.rateLimitRedisDown.inc({ policy }),
    }),
    trustedProxies,
    proxy: createEdgeProxy({ agent, logger }),
    logger,
    available: (route: Route) => source.available?.(route) ?? true,
  };

  // Assembled from the kit's parts rather than createService: see README, "Why not
  // createService". Express serves only what is not proxied: /docs, and refusals (the front
  // handler stores the problem on the request state and hands the request over).
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('trust proxy', false);
  if (config.DOCS_OPENAPI_URLS !== undefined) mountDocs(app, config.DOCS_OPENAPI_URLS);
  app.use((req, _res, next) => {
    next(edgeRequest(req).refusal ?? routeNotFoundProblem(req.method, req.path));
  });
  app.use(problemMiddleware(logger));
  const handleRequest = frontHandler({
    deps,
    app,
    docs: config.DOCS_OPENAPI_URLS !== undefined,
    health,
    observer: new RequestObserver(accessLog, metrics),
    logger,
  });

  const admin = express();
  admin.disable('x-powered-by');
  admin.get('/livez', health.livenessHandler());
  admin.get('/readyz', health.readinessHandler());
  admin.get('/metrics', metricsHandler(metrics));

  let adminServer: Server | undefined;
  lifecycle.onClose(async () => {
    await source.stop();
    agent.destroy();
    redis?.disconnect();
    if (adminServer) {
      adminServer.closeAllConnections();
      await new Promise<void>((resolve) => adminServer?.close(() => resolve()));
    }
  });

  return {
    app,
    metrics,
    logger,
    routes: () => table,
    async start(startOptions = {}) {
      const host = startOptions.host ?? config.HOST;
      adminServer = createServer(admin);
      adminServer.listen(startOptions.adminPort ?? config.ADMIN_PORT, host);
      await once(adminServer, 'listening');
      // Connect while the routes load, and give Redis a moment: requests that arrive before
      // the connection is up would be decided by the "Redis down" policy. Down at start is
      // not fatal: that policy applies until it is up.
      const redisUp = redis?.connect().then(
        () => true,
        () => false,
      );
      await source.start((next) => {
        table = next;
        synced = true;
        metrics.routes.set(next.routes.length);
      });
      if (redisUp !== undefined) await settlesWithin(redisUp, REDIS_START_WAIT_MS);
      const server = createServer(
        {
          headersTimeout: config.CLIENT_HEADERS_TIMEOUT_MS,
          requestTimeout: config.CLIENT_REQUEST_TIMEOUT_MS,
          keepAliveTimeout: config.CLIENT_KEEPALIVE_TIMEOUT_MS,
          // Timeouts are checked this often; keep it well below the shortest one.
          connectionsCheckingInterval: Math.max(
            50,
            Math.min(1000, config.CLIENT_HEADERS_TIMEOUT_MS / 4),
          ),
        },
        handleRequest,
      );
      server.on('upgrade', edgeUpgradeHandler(deps));
      server.on('clientError', answerClientError);
      lifecycle.attach(server);
      server.listen(startOptions.port ?? config.PORT, host);
      await once(server, 'listening');
      if (startOptions.handleSignals ?? true) lifecycle.handleSignals();
      lifecycle.startWorkers();
      const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      const { port } = server.address() as AddressInfo;
      const { port: adminPort } = adminServer.address() as AddressInfo;
      logger.info('gateway listening', { port, admin_port: adminPort, routes: source.description });
      return { url: `http://${urlHost}:${port}`, adminUrl: `http://${urlHost}:${adminPort}` };
    },
    async stop(stopOptions = {}) {
      lifecycle.releaseSignals();
      await lifecycle.shutdown({ delayMs: stopOptions.delayMs ?? 0 });
    },
  };
}

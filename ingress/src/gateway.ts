// Wires the gateway from its parts: kit request ids, access log and metrics, the route
// source, the edge handler with its policies, the proxy, problem+json errors, the admin
// listener (probes, /metrics) and the kit's graceful shutdown. No I/O until start().
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
  requestIdMiddleware,
} from '@shoal/kit';
import type { Logger, TokenVerifier } from '@shoal/kit';
import type { GatewayConfig } from './config.ts';
import { mountDocs } from './docs/swagger-docs.ts';
import { createGatewayMetrics } from './http/gateway-metrics.ts';
import type { GatewayMetrics } from './http/gateway-metrics.ts';
import { observeRequests } from './http/observe-requests.ts';
import { EdgeAuth } from './policy/edge-auth.ts';
import { EdgeRateLimit } from './policy/edge-rate-limit.ts';
import { createEdgeProxy } from './proxy/edge-proxy.ts';
import { edgeHandler, edgeUpgradeHandler } from './proxy/edge-handler.ts';
import { TrustedProxies } from './proxy/trusted-proxies.ts';
import { createUpstreamAgent } from './proxy/upstream-agent.ts';
import type { RouteSource } from './routes/route-source.ts';
import { RouteTable } from './routes/route-table.ts';

/** Options of createGateway. */
export interface GatewayOptions {
  config: GatewayConfig;
  source: RouteSource;
  /** Default: JSON lines on stdout at LOG_LEVEL. */
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
  /** Shuts down like SIGTERM does, without the readiness delay. */
  stop(): Promise<void>;
}

/** Builds the gateway. */
export function createGateway(options: GatewayOptions): Gateway {
  const { config, source } = options;
  const logger =
    options.logger ?? createLogger({ service: config.SERVICE_NAME, level: config.LOG_LEVEL });
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
  const trustedProxies = new TrustedProxies(config.TRUSTED_PROXIES);
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
  };

  // Assembled from the kit's parts rather than createService (which can now leave bodies
  // unparsed): its access log and RED metrics label every proxied request `unmatched`, and it
  // serves /livez, /readyz and /metrics on the public port, where they would shadow routes.
  // Switch once createService takes a route-label hook and an admin port.
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('trust proxy', false);
  app.use(
    requestIdMiddleware(logger),
    observeRequests(logger, metrics),
    lifecycle.drainingMiddleware(),
  );
  if (config.DOCS_OPENAPI_URLS !== undefined) mountDocs(app, config.DOCS_OPENAPI_URLS);
  app.use(edgeHandler(deps));
  app.use(problemMiddleware(logger));

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
      if (redis) redis.connect().catch(() => {}); // down at start = "Redis down" policy until it is up
      await source.start((next) => {
        table = next;
        synced = true;
        metrics.routes.set(next.routes.length);
      });
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
        app,
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
    async stop() {
      lifecycle.releaseSignals();
      await lifecycle.shutdown({ delayMs: 0 });
    },
  };
}

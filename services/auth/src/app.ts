import { SQSClient } from '@aws-sdk/client-sqs';
import {
  createLogger,
  createPgPool,
  createRateLimiter,
  createService,
  jsonBodyMiddleware,
  openApiRoute,
  rateLimitMiddleware,
} from '@shoal/kit';
import type { Logger, Service } from '@shoal/kit';
import { Redis } from 'ioredis';
import type { AuthConfig } from './config.ts';
import { AccessTokens } from './domain/access-tokens.ts';
import { Accounts } from './domain/accounts.ts';
import { ClientRegistry } from './domain/client-registry.ts';
import { KeyEncryption } from './domain/key-encryption.ts';
import { PasswordHasher } from './domain/password-hasher.ts';
import { RefreshTokens } from './domain/refresh-tokens.ts';
import { SigningKeyRing } from './domain/signing-key-ring.ts';
import { createEventOutbox } from './events/event-outbox.ts';
import { bearerAuth } from './routes/bearer-auth.ts';
import { clientTokenRoute } from './routes/client-token-route.ts';
import { domainProblemMiddleware } from './routes/domain-problems.ts';
import { keyRoutes } from './routes/key-routes.ts';
import { sessionRoutes } from './routes/session-routes.ts';
import { userRoutes } from './routes/user-routes.ts';
import { RateLimitedLoginThrottle } from './store/rate-limited-login-throttle.ts';
import { migrate } from './store/migrations.ts';
import { PgAuthStore } from './store/pg-auth-store.ts';

/** Every route of the service lives under this prefix (the gateway routes by it). */
export const API_PREFIX = '/api/auth';

/** Clock skew tolerated between replicas when deciding a retired key may go. */
const KEY_RETENTION_SLACK_MS = 60_000;
/** Redis errors repeat on every reconnect attempt: log them at most this often. */
const REDIS_WARN_EVERY_MS = 30_000;

/** The auth service, wired but not started. */
export interface AuthService {
  /** The kit service (app, logger, health...). */
  readonly service: Service<AuthConfig>;
  readonly accounts: Accounts;
  readonly keys: SigningKeyRing;
  /**
   * Migrates the database, makes sure a signing key and the admin account exist, then
   * listens. Port 0 picks a free port (tests).
   */
  start(options?: {
    port?: number;
    handleSignals?: boolean;
  }): Promise<{ url: string; port: number }>;
  /** Stops serving, stops the outbox relay and closes the pools. */
  stop(): Promise<void>;
}

/** Builds the auth service from its configuration; does no I/O until start(). */
export function createAuthService(
  config: AuthConfig,
  options: { logger?: Logger } = {},
): AuthService {
  const logger =
    options.logger ?? createLogger({ service: config.SERVICE_NAME, level: config.LOG_LEVEL });
  let lastRedisWarning = 0;
  // A database restart must not crash the process: the pool replaces lost connections,
  // requests in flight fail with a 500 and /readyz reports it.
  const pool = createPgPool({
    connectionString: config.DATABASE_URL,
    max: config.DATABASE_POOL_SIZE,
    logger,
  });
  const redis = new Redis(config.REDIS_URL, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    // While Redis is away, fail fast so the rate limiter's local insurance takes over.
    enableOfflineQueue: false,
  });
  const sqs = new SQSClient({
    region: config.AWS_REGION,
    ...(config.SQS_ENDPOINT === undefined ? {} : { endpoint: config.SQS_ENDPOINT }),
  });
  redis.on('error', (error: Error) => {
    const now = Date.now();
    if (now - lastRedisWarning < REDIS_WARN_EVERY_MS) return;
    lastRedisWarning = now;
    logger.warn('redis unreachable; login throttling is per replica meanwhile', {
      error: error.message,
    });
  });
  const outbox = createEventOutbox({ pool, sqs, queueName: config.EVENTS_QUEUE, logger });
  const store = new PgAuthStore(pool, outbox.write);

  const keys = new SigningKeyRing({
    store,
    encryption: new KeyEncryption(config.AUTH_KEY_ENCRYPTION_KEY),
    cacheMs: config.SIGNING_KEY_CACHE_SEC * 1000,
    // A retired key may still have signed tokens on replicas with an older view of the keys.
    retentionMs:
      (config.ACCESS_TOKEN_TTL_SEC + config.SIGNING_KEY_CACHE_SEC) * 1000 + KEY_RETENTION_SLACK_MS,
  });
  const accessTokens = new AccessTokens({
    keys,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
    ttlSec: config.ACCESS_TOKEN_TTL_SEC,
  });
  const accounts = new Accounts({
    store,
    hasher: new PasswordHasher(config.PASSWORD_SCRYPT_PARAMS),
    accessTokens,
    refreshTokens: new RefreshTokens({
      store,
      ttlMs: config.REFRESH_TOKEN_TTL_SEC * 1000,
      graceMs: config.REFRESH_GRACE_SEC * 1000,
    }),
    throttle: new RateLimitedLoginThrottle({
      perAccount: createRateLimiter({
        redis,
        keyPrefix: `${config.SERVICE_NAME}:login-failures:account`,
        points: config.LOGIN_FAILURES_PER_ACCOUNT,
        durationSec: config.LOGIN_FAILURE_WINDOW_SEC,
        logger,
      }),
      perAddress: createRateLimiter({
        redis,
        keyPrefix: `${config.SERVICE_NAME}:login-failures:address`,
        points: config.LOGIN_FAILURES_PER_ADDRESS,
        durationSec: config.LOGIN_FAILURE_WINDOW_SEC,
        logger,
      }),
    }),
  });
  const clients = new ClientRegistry(config.AUTH_CLIENTS);
  const registrationLimit = rateLimitMiddleware(
    createRateLimiter({
      redis,
      keyPrefix: `${config.SERVICE_NAME}:registrations`,
      points: config.REGISTRATIONS_PER_ADDRESS,
      durationSec: config.REGISTRATION_WINDOW_SEC,
      logger,
    }),
  );

  const service = createService({
    config,
    logger,
    checks: {
      postgres: async () => {
        await pool.query('SELECT 1');
      },
      redis: async () => {
        await redis.ping();
      },
    },
    workers: [outbox.relay],
    onClose: [
      () => pool.end(),
      () => {
        redis.disconnect();
        sqs.destroy();
        return Promise.resolve();
      },
    ],
    routes: (app) => {
      const authenticate = bearerAuth(accessTokens);
      // The token route takes OAuth forms (RFC 6749 §4.4.2) as well as JSON; every other
      // route takes JSON only, so a form posted to them is a 415.
      app.use(`${API_PREFIX}/token`, clientTokenRoute(clients, accessTokens, config.BODY_LIMIT));
      app.use(API_PREFIX, jsonBodyMiddleware(config.BODY_LIMIT));
      app.use(API_PREFIX, sessionRoutes(accounts, registrationLimit));
      app.use(API_PREFIX, userRoutes(accounts, authenticate));
      app.use(API_PREFIX, keyRoutes(keys, authenticate, config.JWKS_MAX_AGE_SEC));
      app.use(API_PREFIX, openApiRoute(new URL('../openapi.yaml', import.meta.url)));
      app.use(domainProblemMiddleware());
    },
  });

  return {
    service,
    accounts,
    keys,
    async start(startOptions = {}) {
      await migrate(pool, undefined, () => outbox.ensureTable());
      await keys.ensureKey();
      if (config.AUTH_ADMIN_EMAIL !== undefined && config.AUTH_ADMIN_PASSWORD !== undefined) {
        const { created } = await accounts.ensureAdmin(
          config.AUTH_ADMIN_EMAIL,
          config.AUTH_ADMIN_PASSWORD,
        );
        if (created)
          service.logger.info('admin account created', { email: config.AUTH_ADMIN_EMAIL });
      }
      await redis.connect().catch((error: unknown) => {
        // Not fatal: the login throttle limits locally until Redis answers; /readyz says so.
        service.logger.warn('redis unreachable at start', { error: (error as Error).message });
      });
      return service.start(startOptions);
    },
    stop: () => service.stop(),
  };
}

import { SQSClient } from '@aws-sdk/client-sqs';
import {
  createLogger,
  createMongoClient,
  createService,
  ensureQueues,
  jwtAuth,
  openApiRoute,
} from '@shoal/kit';
import type { Logger, Service } from '@shoal/kit';
import type { Collection, Document } from 'mongodb';
import type { UserConfig } from './config.ts';
import { Profiles } from './domain/profiles.ts';
import { createOutboxRelay } from './events/event-outbox.ts';
import { createRegistrationConsumer } from './events/registration-consumer.ts';
import { domainProblemMiddleware } from './routes/domain-problems.ts';
import { profileRoutes } from './routes/profile-routes.ts';
import { MongoProfileStore } from './store/mongo-profile-store.ts';

/** Every route of the service lives under this prefix (the gateway routes by it). */
export const API_PREFIX = '/api/users';

/** The user service, wired but not started. */
export interface UserService {
  readonly service: Service<UserConfig>;
  readonly profiles: Profiles;
  /**
   * Creates the indexes, finds (or creates) the user-events queue, then listens, consumes
   * registrations and relays its outbox. Port 0 picks a free port (tests).
   */
  start(options?: {
    port?: number;
    handleSignals?: boolean;
  }): Promise<{ url: string; port: number }>;
  /** Stops serving, consuming and relaying, then closes the clients. */
  stop(): Promise<void>;
}

/** Builds the user service from its configuration; does no I/O until start(). */
export function createUserService(
  config: UserConfig,
  options: { logger?: Logger } = {},
): UserService {
  const logger =
    options.logger ?? createLogger({ service: config.SERVICE_NAME, level: config.LOG_LEVEL });
  const mongo = createMongoClient(config.MONGO_URL);
  const db = mongo.db(config.MONGO_DATABASE);
  const sqs = new SQSClient({
    region: config.AWS_REGION,
    ...(config.SQS_ENDPOINT === undefined ? {} : { endpoint: config.SQS_ENDPOINT }),
  });
  const store = new MongoProfileStore(db);
  const relay = createOutboxRelay({
    collection: store.collection as unknown as Collection<Document>,
    sqs,
    pollIntervalMs: config.OUTBOX_POLL_MS,
    logger,
  });
  const profiles = new Profiles({
    store,
    eventsQueue: config.EVENTS_QUEUE,
    onEventsWritten: () => relay.wake(),
  });
  const authenticate = jwtAuth({
    jwksUrl: config.AUTH_JWKS_URL,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
  });

  const service = createService({
    config,
    logger,
    checks: {
      mongo: async () => {
        await db.command({ ping: 1 });
      },
    },
    workers: [relay],
    onClose: [
      () => mongo.close(),
      () => {
        sqs.destroy();
        return Promise.resolve();
      },
    ],
    routes: (app) => {
      app.use(API_PREFIX, openApiRoute(new URL('../openapi.yaml', import.meta.url)));
      app.use(API_PREFIX, profileRoutes(profiles, authenticate));
      app.use(domainProblemMiddleware());
    },
  });

  return {
    service,
    profiles,
    async start(startOptions = {}) {
      await store.migrate();
      // The event service provisions it with its DLQ; creating it here (without attributes)
      // only means this service may start first.
      const urls = await ensureQueues(sqs, [{ name: config.USER_EVENTS_QUEUE }]);
      service.manage(
        createRegistrationConsumer({
          sqs,
          queueUrl: urls[config.USER_EVENTS_QUEUE] as string,
          profiles,
          trustedSource: config.AUTH_EVENT_SOURCE,
          concurrency: config.CONSUMER_CONCURRENCY,
          waitTimeSeconds: config.CONSUMER_WAIT_SEC,
          logger,
        }),
      );
      return service.start(startOptions);
    },
    stop: () => service.stop(),
  };
}

export { userConfigSchema } from './config.ts';
export type { UserConfig } from './config.ts';

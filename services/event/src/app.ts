import { SQSClient } from '@aws-sdk/client-sqs';
import {
  createLogger,
  createMongoClient,
  createService,
  jwtAuth,
  openApiRoute,
  sqsCheck,
  SqsPublisher,
} from '@shoal/kit';
import type { Logger, Service } from '@shoal/kit';
import type { EventConfig } from './config.ts';
import { EventHub } from './domain/event-hub.ts';
import { DeadLetters } from './events/dead-letters.ts';
import { EventContracts } from './events/event-contracts.ts';
import { createHubMetrics } from './events/hub-metrics.ts';
import type { HubMetrics } from './events/hub-metrics.ts';
import { createIngestConsumer } from './events/ingest-consumer.ts';
import { provisionQueues } from './events/queues.ts';
import type { QueuePair } from './events/queues.ts';
import { SqsSubscriberQueues } from './events/sqs-subscriber-queues.ts';
import { adminRoutes } from './routes/admin-routes.ts';
import { domainProblemMiddleware } from './routes/domain-problems.ts';
import { publishRoutes } from './routes/publish-routes.ts';
import type { IngestQueue } from './routes/publish-routes.ts';
import { webhookRoutes } from './routes/webhook-routes.ts';
import { MongoEventLog } from './store/mongo-event-log.ts';

/** Every route of the service lives under this prefix (the gateway routes by it). */
export const API_PREFIX = '/api/events';

/** The event service, wired but not started. */
export interface EventService {
  readonly service: Service<EventConfig>;
  readonly hub: EventHub;
  /**
   * Creates the indexes and the queues (each with its DLQ), then listens and starts consuming.
   * Port 0 picks a free port (tests).
   */
  start(options?: {
    port?: number;
    handleSignals?: boolean;
  }): Promise<{ url: string; port: number }>;
  /** Stops serving and consuming (in-flight events finish), then closes the clients. */
  stop(): Promise<void>;
}

/** Builds the event service from its configuration; does no I/O until start(). */
export function createEventService(
  config: EventConfig,
  options: { logger?: Logger } = {},
): EventService {
  const logger =
    options.logger ?? createLogger({ service: config.SERVICE_NAME, level: config.LOG_LEVEL });
  const mongo = createMongoClient(config.MONGO_URL);
  const db = mongo.db(config.MONGO_DATABASE);
  const sqs = new SQSClient({
    region: config.AWS_REGION,
    ...(config.SQS_ENDPOINT === undefined ? {} : { endpoint: config.SQS_ENDPOINT }),
  });
  const publisher = new SqsPublisher({ client: sqs });
  const log = new MongoEventLog(db);
  // Queue URLs are known once start() has provisioned them.
  let queues: ReadonlyMap<string, QueuePair> = new Map();
  const currentQueues = () => queues;
  const ingestPair = (): QueuePair => {
    const pair = queues.get(config.INGEST_QUEUE);
    if (pair === undefined) throw new Error('queues are not provisioned yet');
    return pair;
  };
  const deadLetters = new DeadLetters(sqs);
  const authenticate = jwtAuth({
    jwksUrl: config.AUTH_JWKS_URL,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
  });
  const ingestQueue: IngestQueue = {
    enqueue: async (event) => {
      await publisher.publish(ingestPair().queueUrl, event);
    },
  };

  // The hub reports to `metrics`, made below on the service's registry (which exists once
  // createService has run); nothing is observed before start().
  const hub = new EventHub({
    log,
    contracts: new EventContracts(),
    subscriptions: config.SUBSCRIPTIONS,
    queues: new SqsSubscriberQueues(publisher, currentQueues),
    fanoutLeaseMs: config.FANOUT_LEASE_SEC * 1000,
    replayMaxEvents: config.REPLAY_MAX_EVENTS,
    observer: {
      ingested: (type) => metrics.observer.ingested(type),
      duplicate: (type) => metrics.observer.duplicate(type),
      fannedOut: (subscription, lagMs) => metrics.observer.fannedOut(subscription, lagMs),
    },
  });
  const service = createService({
    config,
    logger,
    checks: {
      mongo: async () => {
        await db.command({ ping: 1 });
      },
    },
    onClose: [
      () => mongo.close(),
      () => {
        sqs.destroy();
        return Promise.resolve();
      },
    ],
    routes: (app) => {
      app.use(API_PREFIX, openApiRoute(new URL('../openapi.yaml', import.meta.url)));
      app.use(
        API_PREFIX,
        webhookRoutes(hub, ingestQueue, config.WEBHOOK_SECRETS, config.WEBHOOK_TOLERANCE_SEC),
      );
      app.use(API_PREFIX, publishRoutes(hub, ingestQueue, authenticate));
      app.use(API_PREFIX, adminRoutes(hub, deadLetters, currentQueues, authenticate));
      app.use(domainProblemMiddleware());
    },
  });
  const metrics: HubMetrics = createHubMetrics({
    registry: service.metrics.registry,
    deadLetters,
    queues: currentQueues,
    logger,
  });

  return {
    service,
    hub,
    async start(startOptions = {}) {
      await log.migrate();
      queues = await provisionQueues(sqs, {
        ingestQueue: config.INGEST_QUEUE,
        subscriptions: config.SUBSCRIPTIONS,
        maxReceiveCount: config.MAX_RECEIVE_COUNT,
        visibilityTimeoutSec: config.VISIBILITY_TIMEOUT_SEC,
      });
      // Without the ingest queue nothing is consumed and no HTTP publish is accepted.
      service.health.addCheck('sqs', sqsCheck(sqs, ingestPair().queueUrl));
      service.manage(
        createIngestConsumer({
          sqs,
          hub,
          ingest: ingestPair(),
          concurrency: config.INGEST_CONCURRENCY,
          waitTimeSeconds: config.INGEST_WAIT_SEC,
          visibilityTimeoutSec: config.VISIBILITY_TIMEOUT_SEC,
          retryDelayMaxSec: config.RETRY_DELAY_MAX_SEC,
          logger,
          onRejected: (event) => metrics.rejected(event.type),
        }),
      );
      return service.start(startOptions);
    },
    stop: () => service.stop(),
  };
}

export { eventConfigSchema } from './config.ts';
export type { EventConfig } from './config.ts';

import { SQSClient } from '@aws-sdk/client-sqs';
import {
  clientCredentialsTokenProvider,
  createHttpClient,
  createLogger,
  createMongoClient,
  createService,
  ensureQueues,
  jwtAuth,
  openApiRoute,
  sqsCheck,
} from '@shoal/kit';
import type { CloudEvent, Logger, Service, SqsConsumer } from '@shoal/kit';
import type { Collection, Document } from 'mongodb';
import type { NotificationConfig } from './config.ts';
import { Inbox } from './domain/inbox.ts';
import { Notifier } from './domain/notifier.ts';
import type { NotifyResult } from './domain/notifier.ts';
import type { Mailer } from './domain/ports.ts';
import { integrationTemplate } from './domain/templates.ts';
import { createOutboxRelay } from './events/event-outbox.ts';
import { createNotificationConsumer } from './events/notification-consumer.ts';
import { createNotificationMetrics } from './events/notification-metrics.ts';
import { SmtpMailer } from './outbound/smtp-mailer.ts';
import { UserContactDirectory } from './outbound/user-contact-directory.ts';
import { domainProblemMiddleware } from './routes/domain-problems.ts';
import { inboxRoutes } from './routes/inbox-routes.ts';
import { MongoDeliveryStore } from './store/mongo-delivery-store.ts';
import { MongoInboxStore } from './store/mongo-inbox-store.ts';

/** Every route of the service lives under this prefix (the gateway routes by it). */
export const API_PREFIX = '/api/notifications';

/** The scope the service token must carry to read contacts from the user service. */
export const CONTACT_SCOPE = 'users:read';

/** The notification service, wired but not started. */
export interface NotificationService {
  readonly service: Service<NotificationConfig>;
  readonly notifier: Notifier;
  readonly inbox: Inbox;
  /** The consumer, once started (its stats show receives and failures). */
  readonly consumer: SqsConsumer | undefined;
  /**
   * Creates the indexes, finds (or creates) the notification-events queue, then listens,
   * consumes and relays its outbox. Port 0 picks a free port (tests).
   */
  start(options?: {
    port?: number;
    handleSignals?: boolean;
  }): Promise<{ url: string; port: number }>;
  /** Stops serving, consuming and relaying, then closes the clients. */
  stop(): Promise<void>;
}

export interface NotificationServiceOptions {
  logger?: Logger;
  /** Another way to send email (the SMTP mailer by default). */
  mailer?: Mailer;
  /** Told about every event handled (tests, benchmarks). */
  onHandled?: (event: CloudEvent, result: NotifyResult) => void;
}

/** Builds the notification service from its configuration; does no I/O until start(). */
export function createNotificationService(
  config: NotificationConfig,
  options: NotificationServiceOptions = {},
): NotificationService {
  const logger =
    options.logger ?? createLogger({ service: config.SERVICE_NAME, level: config.LOG_LEVEL });
  const mongo = createMongoClient(config.MONGO_URL);
  const db = mongo.db(config.MONGO_DATABASE);
  const sqs = new SQSClient({
    region: config.AWS_REGION,
    ...(config.SQS_ENDPOINT === undefined ? {} : { endpoint: config.SQS_ENDPOINT }),
  });
  const deliveries = new MongoDeliveryStore(db);
  const inboxStore = new MongoInboxStore(db);
  const relay = createOutboxRelay({
    collection: deliveries.outboxCollection as unknown as Collection<Document>,
    sqs,
    pollIntervalMs: config.OUTBOX_POLL_MS,
    logger,
  });
  const smtp =
    options.mailer === undefined
      ? new SmtpMailer({
          host: config.SMTP_HOST,
          port: config.SMTP_PORT,
          secure: config.SMTP_SECURE,
          ...(config.SMTP_USER === undefined ? {} : { user: config.SMTP_USER }),
          ...(config.SMTP_PASSWORD === undefined ? {} : { password: config.SMTP_PASSWORD }),
          from: config.MAIL_FROM,
          timeoutMs: config.SMTP_TIMEOUT_MS,
          poolSize: config.SMTP_POOL_SIZE,
        })
      : undefined;
  const users = createHttpClient({
    baseUrl: config.USER_SERVICE_URL,
    timeoutMs: config.USER_SERVICE_TIMEOUT_MS,
    logger,
    bearerToken: clientCredentialsTokenProvider({
      tokenUrl: new URL('/api/auth/token', config.AUTH_URL).toString(),
      clientId: config.AUTH_CLIENT_ID,
      clientSecret: config.AUTH_CLIENT_SECRET,
      scope: CONTACT_SCOPE,
    }),
  });
  const notifier = new Notifier({
    contacts: new UserContactDirectory({ client: users, ttlMs: config.CONTACT_CACHE_TTL_MS }),
    deliveries,
    inbox: inboxStore,
    mailer: options.mailer ?? (smtp as SmtpMailer),
    rules: {
      authSource: config.AUTH_EVENT_SOURCE,
      userSource: config.USER_EVENT_SOURCE,
      integration: integrationTemplate(config.INTEGRATION_SUBJECT, config.INTEGRATION_TEXT),
    },
    eventsQueue: config.EVENTS_QUEUE,
    deliveryLeaseMs: config.DELIVERY_LEASE_SEC * 1000,
    messageIdDomain: config.MAIL_MESSAGE_ID_DOMAIN,
    onEventsWritten: () => relay.wake(),
  });
  const inbox = new Inbox(inboxStore);
  const authenticate = jwtAuth({
    jwksUrl: config.AUTH_JWKS_URL,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
  });
  let consumer: SqsConsumer | undefined;

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
        smtp?.close();
        sqs.destroy();
        return Promise.resolve();
      },
    ],
    routes: (app) => {
      app.use(API_PREFIX, openApiRoute(new URL('../openapi.yaml', import.meta.url)));
      app.use(API_PREFIX, inboxRoutes(inbox, authenticate));
      app.use(domainProblemMiddleware());
    },
  });

  return {
    service,
    notifier,
    inbox,
    get consumer() {
      return consumer;
    },
    async start(startOptions = {}) {
      await deliveries.migrate();
      await inboxStore.migrate();
      // The event service provisions it with its DLQ; creating it here (without attributes)
      // only means this service may start first.
      const urls = await ensureQueues(sqs, [{ name: config.NOTIFICATION_EVENTS_QUEUE }]);
      const queueUrl = urls[config.NOTIFICATION_EVENTS_QUEUE] as string;
      service.health.addCheck('sqs', sqsCheck(sqs, queueUrl));
      const metrics = createNotificationMetrics(service.metrics.registry);
      consumer = createNotificationConsumer({
        sqs,
        queueUrl,
        notifier,
        concurrency: config.CONSUMER_CONCURRENCY,
        waitTimeSeconds: config.CONSUMER_WAIT_SEC,
        retryDelayBaseSec: config.RETRY_DELAY_BASE_SEC,
        retryDelayMaxSec: config.RETRY_DELAY_MAX_SEC,
        logger,
        onHandled: (event, result) => {
          metrics.handled(event, result);
          options.onHandled?.(event, result);
        },
        onFailed: () => metrics.failed(),
      });
      service.manage(consumer);
      return service.start(startOptions);
    },
    stop: () => service.stop(),
  };
}

export { notificationConfigSchema } from './config.ts';
export type { NotificationConfig } from './config.ts';
export { deliveryId } from './domain/delivery-id.ts';
export { SmtpMailer } from './outbound/smtp-mailer.ts';

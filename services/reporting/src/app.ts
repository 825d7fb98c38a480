import { SQSClient } from '@aws-sdk/client-sqs';
import {
  createLogger,
  createPgPool,
  createService,
  ensureQueues,
  jwtAuth,
  openApiRoute,
  sqsCheck,
} from '@shoal/kit';
import type { ConsumerStats, Logger, Service, SqsConsumer } from '@shoal/kit';
import type { ReportingConfig } from './config.ts';
import { Reports } from './domain/reports.ts';
import { createConsumerMetrics } from './events/consumer-metrics.ts';
import { FactBatcher } from './events/fact-batcher.ts';
import { createReportingConsumer } from './events/reporting-consumer.ts';
import { domainProblemMiddleware } from './routes/domain-problems.ts';
import { reportRoutes } from './routes/report-routes.ts';
import { migrate } from './store/migrations.ts';
import { isDatabaseUnavailable } from './store/database-unavailable.ts';
import { PgReportStore } from './store/pg-report-store.ts';

/** Every route of the service lives under this prefix (the gateway routes by it). */
export const API_PREFIX = '/api/reports';

/** Write transactions of the consumer in flight at once (the rest wait and batch up). */
const WRITES_IN_FLIGHT = 2;
/** Longest pause between retries of a write while the database is away. */
const DATABASE_RETRY_MAX_MS = 30_000;

/** The reporting service, wired but not started. */
export interface ReportingService {
  readonly service: Service<ReportingConfig>;
  readonly reports: Reports;
  /** The consumer's running totals (all zero before start()). */
  consumerStats(): ConsumerStats;
  /**
   * Migrates the database, makes sure the queue and its DLQ exist, then listens and starts
   * consuming. Port 0 picks a free port (tests).
   */
  start(options?: {
    port?: number;
    handleSignals?: boolean;
  }): Promise<{ url: string; port: number }>;
  /** Stops serving and consuming (in-flight events finish), then closes the pool. */
  stop(): Promise<void>;
}

/** Builds the reporting service from its configuration; does no I/O until start(). */
export function createReportingService(
  config: ReportingConfig,
  options: { logger?: Logger } = {},
): ReportingService {
  const logger =
    options.logger ?? createLogger({ service: config.SERVICE_NAME, level: config.LOG_LEVEL });
  // An unreachable database fails a write (to be retried) after 5 s instead of hanging it,
  // and a database restart does not crash the process.
  const pool = createPgPool({
    connectionString: config.DATABASE_URL,
    max: config.DATABASE_POOL_SIZE,
    logger,
  });
  const sqs = new SQSClient({
    region: config.AWS_REGION,
    ...(config.SQS_ENDPOINT === undefined ? {} : { endpoint: config.SQS_ENDPOINT }),
  });
  const store = new PgReportStore(pool);
  const reports = new Reports({ store, maxBuckets: config.REPORT_MAX_BUCKETS });
  const authenticate = jwtAuth({
    jwksUrl: config.AUTH_JWKS_URL,
    issuer: config.AUTH_ISSUER,
    audience: config.AUTH_AUDIENCE,
  });

  const service = createService({
    config,
    logger,
    checks: {
      postgres: async () => {
        await pool.query('SELECT 1');
      },
    },
    onClose: [
      () => pool.end(),
      () => {
        sqs.destroy();
        return Promise.resolve();
      },
    ],
    routes: (app) => {
      app.use(API_PREFIX, openApiRoute(new URL('../openapi.yaml', import.meta.url)));
      app.use(API_PREFIX, reportRoutes(reports, authenticate));
      app.use(domainProblemMiddleware());
    },
  });
  const consumerMetrics = createConsumerMetrics(service.metrics.registry);
  let consumer: SqsConsumer | undefined;

  return {
    service,
    reports,
    consumerStats: () => consumer?.stats ?? { received: 0, processed: 0, failed: 0, inFlight: 0 },
    async start(startOptions = {}) {
      await migrate(pool);
      // The event hub provisions the same queue; whoever starts first creates it.
      const queue = config.REPORTING_EVENTS_QUEUE;
      const urls = await ensureQueues(sqs, [
        {
          name: queue,
          visibilityTimeout: config.VISIBILITY_TIMEOUT_SEC,
          dlq: { name: `${queue}-dlq`, maxReceiveCount: config.MAX_RECEIVE_COUNT },
        },
      ]);
      const queueUrl = urls[queue] as string;
      service.health.addCheck('sqs', sqsCheck(sqs, queueUrl));
      const batcher = new FactBatcher(store, {
        maxBatch: config.WRITE_BATCH_MAX,
        maxInFlight: WRITES_IN_FLIGHT,
        isTransient: isDatabaseUnavailable,
        retryDelayMs: (attempt) => Math.min(DATABASE_RETRY_MAX_MS, 250 * 2 ** (attempt - 1)),
        onTransientFailure: (error, attempt, facts) => {
          consumerMetrics.writeRetried();
          logger.warn('database unavailable; holding the events and retrying', {
            error: (error as Error).message,
            attempt,
            events: facts,
          });
        },
      });
      consumer = createReportingConsumer({
        sqs,
        queueUrl,
        batcher,
        concurrency: config.CONSUMER_CONCURRENCY,
        waitTimeSeconds: config.CONSUMER_WAIT_SEC,
        visibilityTimeoutSec: config.VISIBILITY_TIMEOUT_SEC,
        maxReceiveCount: config.MAX_RECEIVE_COUNT,
        logger,
        onOutcome: (outcome) => consumerMetrics.consumed(outcome),
      });
      const running = consumer;
      service.manage({
        start: () => running.start(),
        // Batches waiting out a database outage give their messages back instead of holding
        // the shutdown until its deadline.
        stop: async () => {
          const stopped = running.stop();
          batcher.close();
          await stopped;
        },
      });
      return service.start(startOptions);
    },
    stop: () => service.stop(),
  };
}

export { reportingConfigSchema } from './config.ts';
export type { ReportingConfig } from './config.ts';

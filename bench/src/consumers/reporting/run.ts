// The reporting consumer benchmark (`npm run consumers-reporting -w @shoal/bench`): events per
// second the reporting service's consumer sustains (SQS receive, fact + rollups in shared
// PostgreSQL transactions, delete) and the p99 from enqueue to the row being visible in the
// report database, against references in the same run: the kit's SqsConsumer with a handler
// that does nothing (raw receive + delete, and the enqueue -> handler latency of the SQS hop
// alone), and plain one-row INSERT transactions.
// The service runs in this process; the publisher and the watcher are light.
import { randomUUID } from 'node:crypto';
import { DeleteQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  createCloudEvent,
  createLogger,
  ensureQueues,
  parseConfig,
  SqsConsumer,
  SqsPublisher,
} from '@shoal/kit';
import type { CloudEvent } from '@shoal/kit';
import { createReportingService, reportingConfigSchema } from '@shoal/reporting';
import { loadDepsEnv, uniqueName } from '@shoal/testbed';
import pg from 'pg';
import { formatSummary, summarize } from '../../auth/latency-stats.ts';
import { FactWatcher } from './fact-watcher.ts';

const BURST_EVENTS = Number(process.env['BENCH_EVENTS'] ?? 3000);
const PACED_RATE = Number(process.env['BENCH_PACED_RATE'] ?? 50);
const PACED_SECONDS = Number(process.env['BENCH_PACED_SECONDS'] ?? 10);
/** Unset: the service's default (CONSUMER_CONCURRENCY); the raw reference uses the same. */
const CONCURRENCY = process.env['BENCH_CONSUMER_CONCURRENCY'];
const USERS = 200;

const TYPES = ['auth.user.logged_in', 'auth.user.registered', 'notification.sent'] as const;

/** A mix of logins, signups and notifications by USERS users over the last two days. */
function randomEvent(time = new Date(Date.now() - Math.random() * 2 * 86_400_000)): CloudEvent {
  const user = `00000000-0000-4000-8000-${String(Math.floor(Math.random() * USERS)).padStart(12, '0')}`;
  const type = TYPES[Math.floor(Math.random() * TYPES.length)] ?? 'auth.user.logged_in';
  const data =
    type === 'notification.sent'
      ? { eventId: randomUUID(), userId: user, channel: 'email', template: 'welcome' }
      : { id: user, email: 'bench@example.com', name: 'Bench' };
  return createCloudEvent({ type, source: '/shoal/bench', time, data });
}

/** Enqueues `count` events in batches of 10, four requests in flight. */
async function fill(sqs: SQSClient, queueUrl: string, count: number): Promise<void> {
  const publisher = new SqsPublisher({ client: sqs });
  let sent = 0;
  const lane = async () => {
    while (sent < count) {
      const size = Math.min(10, count - sent);
      sent += size;
      await publisher.publishBatch(
        queueUrl,
        Array.from({ length: size }, () => randomEvent()),
      );
    }
  };
  await Promise.all([lane(), lane(), lane(), lane()]);
}

/** Publishes `total` fresh events at PACED_RATE per second (open loop), noting each send. */
async function paced(
  publisher: SqsPublisher,
  queueUrl: string,
  total: number,
  onSend: (event: CloudEvent) => void,
): Promise<void> {
  const started = performance.now();
  const sends: Promise<unknown>[] = [];
  for (let index = 0; index < total; index += 1) {
    const wait = started + (index * 1000) / PACED_RATE - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const event = randomEvent(new Date());
    onSend(event);
    sends.push(publisher.publish(queueUrl, event));
  }
  await Promise.all(sends);
}

/** Seconds until `done()` holds, polled every 10 ms. */
async function secondsUntil(done: () => boolean, started: number): Promise<number> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 10));
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const deps = loadDepsEnv();
  process.env['AWS_ACCESS_KEY_ID'] ??= deps.AWS_ACCESS_KEY_ID;
  process.env['AWS_SECRET_ACCESS_KEY'] ??= deps.AWS_SECRET_ACCESS_KEY;
  const sqs = new SQSClient({ region: deps.AWS_REGION, endpoint: deps.SQS_ENDPOINT });
  const queues = { reporting: uniqueName('bench-reporting'), raw: uniqueName('bench-raw') };
  const database = uniqueName('bench_reporting', '_');
  const admin = new pg.Client({ connectionString: deps.PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const databaseUrl = new URL(deps.PG_URL);
  databaseUrl.pathname = `/${database}`;
  const pool = new pg.Pool({ connectionString: databaseUrl.toString(), max: 4 });
  const config = parseConfig(reportingConfigSchema, {
    env: {
      SERVICE_NAME: 'reporting-bench',
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl.toString(),
      SQS_ENDPOINT: deps.SQS_ENDPOINT,
      AWS_REGION: deps.AWS_REGION,
      REPORTING_EVENTS_QUEUE: queues.reporting,
      ...(CONCURRENCY === undefined ? {} : { CONSUMER_CONCURRENCY: CONCURRENCY }),
      CONSUMER_WAIT_SEC: '1',
      // Never called: the benchmark reads the database, not the authenticated API.
      AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
      SHUTDOWN_DELAY_MS: '0',
      LOG_LEVEL: 'error',
    },
    envFile: false,
  });
  const urls = await ensureQueues(sqs, [
    { name: queues.reporting, dlq: { name: `${queues.reporting}-dlq`, maxReceiveCount: 5 } },
    { name: queues.raw },
  ]);
  const url = (name: string) => urls[name] as string;
  const reporting = createReportingService(config, {
    logger: createLogger({ service: 'reporting-bench', level: 'error', stream: process.stderr }),
  });
  let watcher: FactWatcher | undefined;
  try {
    console.log(
      `reporting consumer benchmark: ${BURST_EVENTS} queued events, then ${PACED_RATE}/s for ${PACED_SECONDS}s; consumer concurrency ${config.CONSUMER_CONCURRENCY}`,
    );
    // Reference 1: the same kit consumer with a handler that does nothing.
    await fill(sqs, url(queues.raw), BURST_EVENTS);
    const raw = new SqsConsumer({
      client: sqs,
      queueUrl: url(queues.raw),
      concurrency: config.CONSUMER_CONCURRENCY,
      waitTimeSeconds: 1,
      handler: async () => {},
    });
    const rawStart = performance.now();
    raw.start();
    const rawSeconds = await secondsUntil(() => raw.stats.processed >= BURST_EVENTS, rawStart);
    await raw.stop();
    const rawRate = BURST_EVENTS / rawSeconds;

    // The reporting consumer, draining the same number of queued events.
    await fill(sqs, url(queues.reporting), BURST_EVENTS);
    await reporting.start({ port: 0, handleSignals: false });
    // Timed from the end of start-up (migrations, queue check): the consumer's rate only.
    const started = performance.now();
    const before = reporting.consumerStats().processed;
    const seconds = await secondsUntil(
      () => reporting.consumerStats().processed >= BURST_EVENTS,
      started,
    );
    const rate = (BURST_EVENTS - before) / seconds;

    // Reference 2: one-row INSERT transactions, 4 connections, the same number of rows.
    await pool.query('CREATE TABLE bench_rows (id text PRIMARY KEY, at timestamptz NOT NULL)');
    let inserted = 0;
    const insertStart = performance.now();
    const inserter = async () => {
      while (inserted < BURST_EVENTS) {
        inserted += 1;
        await pool.query('INSERT INTO bench_rows VALUES ($1, now())', [randomUUID()]);
      }
    };
    await Promise.all([inserter(), inserter(), inserter(), inserter()]);
    const insertRate = BURST_EVENTS / ((performance.now() - insertStart) / 1000);

    console.log(
      `burst   raw SQS receive+delete (kit consumer, no-op handler): ${rawRate.toFixed(0)} events/s`,
    );
    console.log(
      `burst   plain one-row INSERT transactions (4 connections): ${insertRate.toFixed(0)} rows/s`,
    );
    console.log(
      `burst   reporting consumer (fact + rollups, shared transactions): ${rate.toFixed(0)} events/s (${(rate / rawRate).toFixed(2)}x raw SQS, ${(rate / insertRate).toFixed(2)}x plain INSERT)`,
    );

    // Latency at a steady rate well below capacity. Reference: enqueue -> a no-op handler of
    // the kit's consumer (the SQS hop alone); then enqueue -> fact visible in the report.
    const publisher = new SqsPublisher({ client: sqs });
    const total = Math.round(PACED_RATE * PACED_SECONDS);
    const hopSentAt = new Map<string, number>();
    const hopLatencies: number[] = [];
    const hop = new SqsConsumer({
      client: sqs,
      queueUrl: url(queues.raw),
      concurrency: config.CONSUMER_CONCURRENCY,
      waitTimeSeconds: 1,
      handler: (event) => {
        const sentAt = hopSentAt.get(event.id);
        if (sentAt !== undefined) hopLatencies.push(performance.now() - sentAt);
        return Promise.resolve();
      },
    });
    hop.start();
    await paced(publisher, url(queues.raw), total, (event) => {
      hopSentAt.set(event.id, performance.now());
    });
    await secondsUntil(() => hop.stats.processed >= total, performance.now());
    await hop.stop();

    watcher = new FactWatcher(pool);
    const expecting = watcher;
    await paced(publisher, url(queues.reporting), total, (event) => {
      expecting.expect(event.id, performance.now());
    });
    await watcher.drained();
    const hopLag = summarize(hopLatencies);
    const reportLag = summarize(watcher.latenciesMs);
    console.log(`paced   enqueue -> no-op handler (the SQS hop): ${formatSummary(hopLag)}`);
    console.log(
      `paced   enqueue -> row visible in the report: ${formatSummary(reportLag)} (5 ms polling; p99 ${(reportLag.p99 / hopLag.p99).toFixed(1)}x the hop)`,
    );
    const check = await pool.query<{ facts: string; events: string }>(
      `SELECT (SELECT count(*) FROM event_facts) AS facts,
              (SELECT sum(value) FROM metric_rollups WHERE metric = 'events' AND bucket_interval = 'day') AS events`,
    );
    console.log(
      `check   facts ${check.rows[0]?.facts}, events in day rollups ${check.rows[0]?.events} (expected ${BURST_EVENTS + total} each)`,
    );
  } finally {
    watcher?.stop();
    await reporting.stop();
    await pool.end();
    for (const name of [queues.reporting, `${queues.reporting}-dlq`, queues.raw]) {
      const queueUrl = urls[name];
      if (queueUrl !== undefined) {
        await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => undefined);
      }
    }
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
    sqs.destroy();
  }
}

await main();

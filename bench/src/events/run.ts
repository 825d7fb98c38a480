// The event hub benchmark (`npm run events -w @shoal/bench`): events per second through ingest
// (contract check, event log in FerretDB) and fan-out to three subscriber queues on ElasticMQ,
// and the lag from publish to arrival on a subscriber queue, against a reference in the same
// run: the same events sent straight to one queue and read back (one SQS hop, no hub).
// The event service runs in this process; the publisher and the readers are light.
import { randomUUID } from 'node:crypto';
import { DeleteQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createEventService, eventConfigSchema } from '@shoal/event';
import {
  createCloudEvent,
  createLogger,
  ensureQueues,
  parseConfig,
  SqsPublisher,
} from '@shoal/kit';
import type { CloudEvent } from '@shoal/kit';
import { loadDepsEnv, uniqueName } from '@shoal/testbed';
import { MongoClient } from 'mongodb';
import { formatSummary, summarize } from '../auth/latency-stats.ts';
import { LagReader } from './lag-reader.ts';

const BURST_EVENTS = Number(process.env['BENCH_EVENTS'] ?? 2000);
const PACED_RATE = Number(process.env['BENCH_PACED_RATE'] ?? 20);
const PACED_SECONDS = Number(process.env['BENCH_PACED_SECONDS'] ?? 10);
const CONCURRENCY = process.env['BENCH_INGEST_CONCURRENCY'] ?? '20';

function registration(): CloudEvent {
  const id = randomUUID();
  return createCloudEvent({
    type: 'auth.user.registered',
    source: '/shoal/auth',
    subject: id,
    data: { id, email: `${id.slice(0, 8)}@example.com`, name: 'Bench' },
  });
}

/** Publishes `count` events in batches of 10 as fast as SQS takes them (4 in flight). */
async function burst(publisher: SqsPublisher, queueUrl: string, count: number): Promise<void> {
  let sent = 0;
  const lane = async () => {
    while (sent < count) {
      const size = Math.min(10, count - sent);
      sent += size;
      await publisher.publishBatch(queueUrl, Array.from({ length: size }, registration));
    }
  };
  await Promise.all([lane(), lane(), lane(), lane()]);
}

/** Publishes one event every 1/rate seconds for `seconds` (open loop: no waiting on the hub). */
async function paced(publisher: SqsPublisher, queueUrl: string, rate: number, seconds: number) {
  const total = Math.round(rate * seconds);
  const started = performance.now();
  const sends: Promise<unknown>[] = [];
  for (let index = 0; index < total; index += 1) {
    const due = started + (index * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    sends.push(publisher.publish(queueUrl, registration()));
  }
  await Promise.all(sends);
  return total;
}

async function main(): Promise<void> {
  const deps = loadDepsEnv();
  process.env['AWS_ACCESS_KEY_ID'] ??= deps.AWS_ACCESS_KEY_ID;
  process.env['AWS_SECRET_ACCESS_KEY'] ??= deps.AWS_SECRET_ACCESS_KEY;
  const sqs = new SQSClient({ region: deps.AWS_REGION, endpoint: deps.SQS_ENDPOINT });
  const publisher = new SqsPublisher({ client: sqs });
  const queues = {
    ingest: uniqueName('bench-ingest'),
    user: uniqueName('bench-user'),
    notification: uniqueName('bench-notification'),
    reporting: uniqueName('bench-reporting'),
    direct: uniqueName('bench-direct'),
  };
  const database = uniqueName('bench_events', '_');
  const config = parseConfig(eventConfigSchema, {
    env: {
      SERVICE_NAME: 'event-bench',
      HOST: '127.0.0.1',
      MONGO_URL: deps.MONGO_URL,
      MONGO_DATABASE: database,
      SQS_ENDPOINT: deps.SQS_ENDPOINT,
      AWS_REGION: deps.AWS_REGION,
      INGEST_QUEUE: queues.ingest,
      INGEST_CONCURRENCY: CONCURRENCY,
      SUBSCRIPTIONS: JSON.stringify([
        { name: 'user-events', queue: queues.user, types: ['auth.user.registered'] },
        { name: 'notification-events', queue: queues.notification, types: ['auth.user.*'] },
        { name: 'reporting-events', queue: queues.reporting, types: ['*'] },
      ]),
      // Never called: the benchmark uses no authenticated route.
      AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
      SHUTDOWN_DELAY_MS: '0',
      LOG_LEVEL: 'error',
    },
    envFile: false,
  });
  const hub = createEventService(config, {
    logger: createLogger({ service: 'event-bench', level: 'error', stream: process.stderr }),
  });
  await hub.start({ port: 0, handleSignals: false });
  const urls = await ensureQueues(
    sqs,
    Object.values(queues).map((name) => ({ name })),
  );
  const url = (name: string) => urls[name] as string;
  const readers = [queues.user, queues.notification, queues.reporting].map(
    (queue) => new LagReader(sqs, url(queue)),
  );
  const direct = new LagReader(sqs, url(queues.direct));
  try {
    console.log(
      `event hub benchmark: ${BURST_EVENTS} events burst, then ${PACED_RATE}/s for ${PACED_SECONDS}s; ingest concurrency ${CONCURRENCY}; 3 subscriber queues`,
    );
    // Reference: one SQS hop, same publisher, same reader.
    const directStart = performance.now();
    await burst(publisher, url(queues.direct), BURST_EVENTS);
    await direct.waitFor(BURST_EVENTS);
    const directSeconds = (direct.lastArrivalMs - directStart) / 1000;

    const hubStart = performance.now();
    await burst(publisher, url(queues.ingest), BURST_EVENTS);
    await Promise.all(readers.map((reader) => reader.waitFor(BURST_EVENTS)));
    const hubSeconds = (Math.max(...readers.map((r) => r.lastArrivalMs)) - hubStart) / 1000;
    const hubRate = BURST_EVENTS / hubSeconds;
    const directRate = BURST_EVENTS / directSeconds;
    console.log(
      `burst   direct SQS hop: ${directRate.toFixed(0)} events/s; through the hub (store + 3 fan-outs): ${hubRate.toFixed(0)} events/s (${(hubRate / directRate).toFixed(2)}x), ${(hubRate * 3).toFixed(0)} deliveries/s`,
    );
    console.log(
      `burst   lag to reporting queue: ${formatSummary(summarize(readers[2]?.lagsMs ?? []))}`,
    );

    // Latency under a steady load well below capacity.
    const baseline = readers.map((reader) => reader.lagsMs.length);
    const directBaseline = direct.lagsMs.length;
    const total = await paced(publisher, url(queues.direct), PACED_RATE, PACED_SECONDS / 2);
    await direct.waitFor(BURST_EVENTS + total);
    const pacedTotal = await paced(publisher, url(queues.ingest), PACED_RATE, PACED_SECONDS);
    await Promise.all(readers.map((reader) => reader.waitFor(BURST_EVENTS + pacedTotal)));
    const directLag = summarize(direct.lagsMs.slice(directBaseline));
    const hubLag = summarize(readers.flatMap((reader, i) => reader.lagsMs.slice(baseline[i])));
    console.log(`paced   direct SQS hop lag: ${formatSummary(directLag)}`);
    console.log(
      `paced   publish -> subscriber queue through the hub: ${formatSummary(hubLag)} (p50 ${(hubLag.p50 / directLag.p50).toFixed(1)}x the direct hop)`,
    );
    const duplicates = readers.reduce((sum, reader) => sum + reader.duplicates, 0);
    console.log(`copies delivered twice: ${duplicates}`);
  } finally {
    await Promise.all([...readers, direct].map((reader) => reader.stop()));
    await hub.stop();
    for (const name of Object.values(queues).flatMap((queue) => [queue, `${queue}-dlq`])) {
      const queueUrl = urls[name] ?? `${deps.SQS_ENDPOINT}/000000000000/${name}`;
      await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => undefined);
    }
    const mongo = new MongoClient(deps.MONGO_URL);
    await mongo
      .db(database)
      .dropDatabase()
      .catch(() => undefined);
    await mongo.close();
    sqs.destroy();
  }
}

await main();

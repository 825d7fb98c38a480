// The notification consumer benchmark (`npm run consumers-notification -w @shoal/bench`):
// events per second the notification service's consumer sustains (SQS receive, contact lookup
// in the user service with a cached service token, delivery records and inbox item in FerretDB,
// one SMTP email per event, outbox), and the p99 from enqueue to SMTP accept, against
// references in the same run: the kit's SqsConsumer with a no-op handler (raw receive +
// delete) and the service's own SMTP mailer sending straight to the same server.
// Auth runs as its own process; the user and notification services run in this one.
import { randomBytes, randomUUID } from 'node:crypto';
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
import type { NotificationService } from '@shoal/notification';
import {
  createNotificationService,
  deliveryId,
  notificationConfigSchema,
  SmtpMailer,
} from '@shoal/notification';
import { loadDepsEnv, uniqueName } from '@shoal/testbed';
import { createUserService, userConfigSchema } from '@shoal/user';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { startAuthProcess } from '../../auth/auth-process.ts';
import { formatSummary, summarize } from '../../auth/latency-stats.ts';
import { SmtpStopwatch } from './smtp-stopwatch.ts';

const BURST_EVENTS = Number(process.env['BENCH_EVENTS'] ?? 500);
const PACED_RATE = Number(process.env['BENCH_PACED_RATE'] ?? 10);
const PACED_SECONDS = Number(process.env['BENCH_PACED_SECONDS'] ?? 10);
/** Unset: the service's default (CONSUMER_CONCURRENCY); the raw reference uses the same. */
const CONCURRENCY = process.env['BENCH_CONSUMER_CONCURRENCY'];
const USERS = 200;
const CLIENT = { id: 'notification-bench', secret: randomBytes(18).toString('base64url') };
const MESSAGE_ID_DOMAIN = 'notification.shoal';

/** A `user.profile.updated` for one of `userIds`: one email and one inbox item each. */
function profileUpdated(userIds: readonly string[]): CloudEvent {
  const id = userIds[Math.floor(Math.random() * userIds.length)] ?? '';
  return createCloudEvent({
    type: 'user.profile.updated',
    source: '/shoal/user',
    subject: id,
    data: { id, changed: ['displayName'], profile: { displayName: 'Bench' } },
  });
}

/** The Message-ID the service gives the email of `event`. */
function messageIdOf(event: CloudEvent): string {
  return `<${deliveryId(event.id, 'email')}@${MESSAGE_ID_DOMAIN}>`;
}

/** Enqueues the events in batches of 10, four requests in flight. */
async function fill(publisher: SqsPublisher, queueUrl: string, events: CloudEvent[]) {
  let next = 0;
  const lane = async () => {
    while (next < events.length) {
      const batch = events.slice(next, next + 10);
      next += batch.length;
      await publisher.publishBatch(queueUrl, batch);
    }
  };
  await Promise.all([lane(), lane(), lane(), lane()]);
}

/** Seconds until `done()` holds, polled every 10 ms; throws after `limitSec`. */
async function secondsUntil(done: () => boolean, started: number, limitSec = 600) {
  while (!done()) {
    if (performance.now() - started > limitSec * 1000) throw new Error('gave up waiting');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const deps = loadDepsEnv();
  process.env['AWS_ACCESS_KEY_ID'] ??= deps.AWS_ACCESS_KEY_ID;
  process.env['AWS_SECRET_ACCESS_KEY'] ??= deps.AWS_SECRET_ACCESS_KEY;
  const sqs = new SQSClient({ region: deps.AWS_REGION, endpoint: deps.SQS_ENDPOINT });
  const publisher = new SqsPublisher({ client: sqs });
  const queues = {
    notification: uniqueName('bench-notification'),
    raw: uniqueName('bench-raw'),
    published: uniqueName('bench-notification-out'),
    userIn: uniqueName('bench-user-in'),
    userOut: uniqueName('bench-user-out'),
  };
  const databases = {
    auth: uniqueName('bench_notif_auth', '_'),
    users: uniqueName('bench_notif_users', '_'),
    notifications: uniqueName('bench_notifications', '_'),
  };
  const admin = new pg.Client({ connectionString: deps.PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${databases.auth}`);
  const authDatabaseUrl = new URL(deps.PG_URL);
  authDatabaseUrl.pathname = `/${databases.auth}`;
  const urls = await ensureQueues(sqs, [
    {
      name: queues.notification,
      dlq: { name: `${queues.notification}-dlq`, maxReceiveCount: 5 },
    },
    { name: queues.raw },
  ]);
  const url = (name: string) => urls[name] as string;
  const smtp = new SmtpStopwatch();
  const smtpPort = await smtp.start();
  const quiet = (service: string) =>
    createLogger({ service, level: 'error', stream: process.stderr });

  const auth = await startAuthProcess({
    SERVICE_NAME: 'auth-bench',
    DATABASE_URL: authDatabaseUrl.toString(),
    REDIS_URL: deps.REDIS_URL,
    SQS_ENDPOINT: deps.SQS_ENDPOINT,
    AWS_REGION: deps.AWS_REGION,
    AWS_ACCESS_KEY_ID: deps.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: deps.AWS_SECRET_ACCESS_KEY,
    EVENTS_QUEUE: uniqueName('bench-auth-events'),
    AUTH_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    AUTH_CLIENTS: JSON.stringify([
      { client_id: CLIENT.id, client_secret: CLIENT.secret, scopes: ['users:read'] },
    ]),
    SHUTDOWN_DELAY_MS: '0',
  });
  const jwksUrl = `${auth.url}/api/auth/.well-known/jwks.json`;
  const users = createUserService(
    parseConfig(userConfigSchema, {
      env: {
        SERVICE_NAME: 'user-bench',
        HOST: '127.0.0.1',
        MONGO_URL: deps.MONGO_URL,
        MONGO_DATABASE: databases.users,
        SQS_ENDPOINT: deps.SQS_ENDPOINT,
        AWS_REGION: deps.AWS_REGION,
        EVENTS_QUEUE: queues.userOut,
        USER_EVENTS_QUEUE: queues.userIn,
        CONSUMER_WAIT_SEC: '1',
        AUTH_JWKS_URL: jwksUrl,
        SHUTDOWN_DELAY_MS: '0',
        LOG_LEVEL: 'error',
      },
      envFile: false,
    }),
    { logger: quiet('user-bench') },
  );
  let notifications: NotificationService | undefined;
  let mailer: SmtpMailer | undefined;
  try {
    const { url: usersUrl } = await users.start({ port: 0, handleSignals: false });
    const config = parseConfig(notificationConfigSchema, {
      env: {
        SERVICE_NAME: 'notification-bench',
        HOST: '127.0.0.1',
        MONGO_URL: deps.MONGO_URL,
        MONGO_DATABASE: databases.notifications,
        SQS_ENDPOINT: deps.SQS_ENDPOINT,
        AWS_REGION: deps.AWS_REGION,
        NOTIFICATION_EVENTS_QUEUE: queues.notification,
        EVENTS_QUEUE: queues.published,
        ...(CONCURRENCY === undefined ? {} : { CONSUMER_CONCURRENCY: CONCURRENCY }),
        CONSUMER_WAIT_SEC: '1',
        USER_SERVICE_URL: usersUrl,
        AUTH_URL: auth.url,
        AUTH_CLIENT_ID: CLIENT.id,
        AUTH_CLIENT_SECRET: CLIENT.secret,
        AUTH_JWKS_URL: jwksUrl,
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(smtpPort),
        MAIL_FROM: 'bench@shoal.test',
        MAIL_MESSAGE_ID_DOMAIN: MESSAGE_ID_DOMAIN,
        SHUTDOWN_DELAY_MS: '0',
        LOG_LEVEL: 'error',
      },
      envFile: false,
    });
    const service = (notifications = createNotificationService(config, {
      logger: quiet('notification-bench'),
    }));
    const directMailer = (mailer = new SmtpMailer({
      host: '127.0.0.1',
      port: smtpPort,
      secure: false,
      from: 'bench@shoal.test',
      timeoutMs: config.SMTP_TIMEOUT_MS,
      poolSize: config.SMTP_POOL_SIZE,
    }));
    const userIds = Array.from({ length: USERS }, () => randomUUID());
    for (const id of userIds) {
      await users.profiles.registered({
        id,
        email: `${id.slice(0, 8)}@example.com`,
        name: 'Bench',
      });
    }
    console.log(
      `notification consumer benchmark: ${BURST_EVENTS} queued user.profile.updated events (${USERS} users), then ${PACED_RATE}/s for ${PACED_SECONDS}s; consumer concurrency ${config.CONSUMER_CONCURRENCY}, SMTP pool ${config.SMTP_POOL_SIZE}, contact cache ${config.CONTACT_CACHE_TTL_MS} ms`,
    );

    // Reference 1: the same kit consumer with a handler that does nothing.
    await fill(
      publisher,
      url(queues.raw),
      Array.from({ length: BURST_EVENTS }, () => profileUpdated(userIds)),
    );
    const raw = new SqsConsumer({
      client: sqs,
      queueUrl: url(queues.raw),
      concurrency: config.CONSUMER_CONCURRENCY,
      waitTimeSeconds: 1,
      handler: async () => {},
    });
    const rawStart = performance.now();
    raw.start();
    const rawRate =
      BURST_EVENTS / (await secondsUntil(() => raw.stats.processed >= BURST_EVENTS, rawStart));
    await raw.stop();

    // Reference 2: the service's SMTP mailer alone, as many sends in flight as consumer slots.
    let sent = 0;
    const smtpStart = performance.now();
    const sender = async () => {
      while (sent < BURST_EVENTS) {
        sent += 1;
        await directMailer.send({
          messageId: `<${randomUUID()}@reference>`,
          to: 'reference@example.com',
          subject: 'reference',
          text: 'reference',
        });
      }
    };
    await Promise.all(Array.from({ length: config.CONSUMER_CONCURRENCY }, sender));
    const smtpRate = BURST_EVENTS / ((performance.now() - smtpStart) / 1000);

    // The notification consumer draining the same number of queued events.
    const burst = Array.from({ length: BURST_EVENTS }, () => profileUpdated(userIds));
    await fill(publisher, url(queues.notification), burst);
    await service.start({ port: 0, handleSignals: false });
    // Timed from the end of start-up (indexes, queue): the consumer's rate only.
    const started = performance.now();
    const seconds = await secondsUntil(
      () =>
        burst.every((event) => smtp.acceptedAt.has(messageIdOf(event))) &&
        (service.consumer?.stats.processed ?? 0) >= BURST_EVENTS,
      started,
    );
    const rate = BURST_EVENTS / seconds;
    console.log(
      `burst   raw SQS receive+delete (kit consumer, no-op handler): ${rawRate.toFixed(0)} events/s`,
    );
    console.log(
      `burst   the service's SMTP mailer alone (${config.CONSUMER_CONCURRENCY} sends in flight): ${smtpRate.toFixed(0)} emails/s`,
    );
    console.log(
      `burst   notification consumer (contact, records, inbox, email, outbox): ${rate.toFixed(1)} events/s = ${rate.toFixed(1)} emails/s + ${rate.toFixed(1)} inbox items/s (${(rate / rawRate).toFixed(3)}x raw SQS, ${(rate / smtpRate).toFixed(3)}x SMTP alone)`,
    );

    // Latency at a steady rate below capacity: enqueue -> SMTP accept.
    const enqueuedAt = new Map<string, number>();
    const total = Math.round(PACED_RATE * PACED_SECONDS);
    const pacedStart = performance.now();
    const sends: Promise<unknown>[] = [];
    for (let index = 0; index < total; index += 1) {
      const due = pacedStart + (index * 1000) / PACED_RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const event = profileUpdated(userIds);
      enqueuedAt.set(messageIdOf(event), performance.now());
      sends.push(publisher.publish(url(queues.notification), event));
    }
    await Promise.all(sends);
    await secondsUntil(
      () => [...enqueuedAt.keys()].every((id) => smtp.acceptedAt.has(id)),
      pacedStart,
    );
    const latencies = [...enqueuedAt].map(
      ([id, at]) => (smtp.acceptedAt.get(id) ?? Number.NaN) - at,
    );
    console.log(
      `paced   enqueue -> email accepted by SMTP: ${formatSummary(summarize(latencies))}`,
    );
    const distinct = BURST_EVENTS + total;
    console.log(
      `check   emails accepted ${smtp.accepted - BURST_EVENTS} for ${distinct} events (duplicates: ${smtp.accepted - BURST_EVENTS - distinct}); handler failures (retried): ${service.consumer?.stats.failed ?? 0}`,
    );
  } finally {
    await notifications?.stop();
    await users.stop();
    mailer?.close();
    await auth.stop();
    await smtp.stop();
    for (const name of Object.values(queues).flatMap((queue) => [queue, `${queue}-dlq`])) {
      const queueUrl = urls[name] ?? `${deps.SQS_ENDPOINT}/000000000000/${name}`;
      await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => undefined);
    }
    const mongo = new MongoClient(deps.MONGO_URL);
    for (const database of [databases.users, databases.notifications]) {
      await mongo
        .db(database)
        .dropDatabase()
        .catch(() => undefined);
    }
    await mongo.close();
    await admin.query(`DROP DATABASE IF EXISTS ${databases.auth} WITH (FORCE)`);
    await admin.end();
    sqs.destroy();
  }
}

await main();

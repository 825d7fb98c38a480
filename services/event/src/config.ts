import { baseConfigSchema, envHttpUrl, envInteger, envParsedWith, secret } from '@shoal/kit';
import { z } from 'zod';
import { parseSubscriptions } from './domain/subscriptions.ts';
import { parseWebhookSecrets } from './domain/webhook-signature.ts';

const queueName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,76}$/)
  .describe('an SQS queue name (its DLQ is the name + "-dlq")');

/** Who gets which events when nothing is configured: see README "Subscriptions". */
export const DEFAULT_SUBSCRIPTIONS = JSON.stringify([
  { name: 'user-events', types: ['auth.user.registered'] },
  { name: 'notification-events', types: ['auth.user.registered', 'user.*', 'integration.*'] },
  { name: 'reporting-events', types: ['*'] },
]);

/** Everything the event service reads from its environment (on top of the kit's base). */
export const eventConfigSchema = baseConfigSchema.extend({
  SERVICE_NAME: baseConfigSchema.shape.SERVICE_NAME.default('event'),
  MONGO_URL: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//)
    .describe('a mongodb:// connection URL'),
  MONGO_DATABASE: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,60}$/)
    .default('events')
    .describe('a MongoDB database name'),
  SQS_ENDPOINT: z.url().optional().describe('an http(s) URL of the SQS endpoint (unset: AWS)'),
  AWS_REGION: z.string().min(1).default('us-east-1').describe('an AWS region like us-east-1'),
  /** Where producers publish (their outbox relays) and this service consumes. */
  INGEST_QUEUE: queueName.default('platform-events'),
  /** JSON `[{"name", "queue"?, "types": ["auth.user.registered", "user.*", "*"]}]`. */
  SUBSCRIPTIONS: envParsedWith(
    parseSubscriptions,
    'a JSON array of {"name","queue"?,"types":[...]}',
  ).default(parseSubscriptions(DEFAULT_SUBSCRIPTIONS)),
  /** A message that failed this many receives moves to its queue's DLQ. */
  MAX_RECEIVE_COUNT: envInteger(1, 1000).default(5),
  /** Handlers of ingested messages running at once. */
  INGEST_CONCURRENCY: envInteger(1, 100).default(10),
  /** Long-poll wait of the ingest consumer (0-20 s). */
  INGEST_WAIT_SEC: envInteger(0, 20).default(20),
  VISIBILITY_TIMEOUT_SEC: envInteger(1, 43_200).default(30),
  /** Cap on the exponential pause before a failed message is retried. */
  RETRY_DELAY_MAX_SEC: envInteger(0, 900).default(60),
  /** How long a fan-out in progress is left alone before another consumer finishes it. */
  FANOUT_LEASE_SEC: envInteger(1, 3600).default(30),
  /** JSON `{"<source>": "<secret>"}`: one HMAC secret per webhook source (a Secret). */
  WEBHOOK_SECRETS: secret(
    envParsedWith(parseWebhookSecrets, 'a JSON object {"<source>":"<secret>"}').default({}),
  ),
  /** How old (or how far in the future) a webhook's signed timestamp may be. */
  WEBHOOK_TOLERANCE_SEC: envInteger(1, 3600).default(300),
  AUTH_JWKS_URL: envHttpUrl().describe("the auth service's JWKS URL"),
  AUTH_ISSUER: z.string().min(1).default('shoal-auth').describe('the iss claim'),
  AUTH_AUDIENCE: z.string().min(1).default('shoal').describe('the aud claim'),
  /** Most events one replay request re-fans (narrow the range to replay more). */
  REPLAY_MAX_EVENTS: envInteger(1, 1_000_000).default(10_000),
});

/** The event service's parsed configuration. */
export type EventConfig = z.infer<typeof eventConfigSchema>;

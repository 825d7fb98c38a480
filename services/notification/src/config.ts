import { baseConfigSchema, envHttpUrl, envInteger, secret } from '@shoal/kit';
import { z } from 'zod';

const queueName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,80}$/)
  .describe('an SQS queue name');

const flag = z
  .enum(['true', 'false'])
  .transform((value) => value === 'true')
  .describe('true or false');

/** Everything the notification service reads from its environment (on top of the kit's base). */
export const notificationConfigSchema = baseConfigSchema.extend({
  SERVICE_NAME: baseConfigSchema.shape.SERVICE_NAME.default('notification'),
  MONGO_URL: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//)
    .describe('a mongodb:// connection URL'),
  MONGO_DATABASE: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,60}$/)
    .default('notifications')
    .describe('a MongoDB database name'),
  SQS_ENDPOINT: z.url().optional().describe('an http(s) URL of the SQS endpoint (unset: AWS)'),
  AWS_REGION: z.string().min(1).default('us-east-1').describe('an AWS region like us-east-1'),
  /** The event hub's subscriber queue this service consumes. */
  NOTIFICATION_EVENTS_QUEUE: queueName.default('notification-events'),
  /** Where notification.sent / notification.failed go (through the outbox). */
  EVENTS_QUEUE: queueName.default('platform-events'),
  CONSUMER_CONCURRENCY: envInteger(1, 100).default(10),
  CONSUMER_WAIT_SEC: envInteger(0, 20).default(20),
  /** First pause before a failed event is retried; doubles per receive up to the max. */
  RETRY_DELAY_BASE_SEC: envInteger(1, 900).default(30),
  RETRY_DELAY_MAX_SEC: envInteger(1, 43_200).default(600),
  /** A delivery left `pending` this long (a crash mid-send) may be taken over by a redelivery. */
  DELIVERY_LEASE_SEC: envInteger(5, 3600).default(60),
  OUTBOX_POLL_MS: envInteger(50, 60_000).default(1000),
  /** The user service (contacts and preferences), e.g. http://user. */
  USER_SERVICE_URL: envHttpUrl().describe('the user service base URL, like http://user'),
  /** How long a looked-up contact is reused. */
  CONTACT_CACHE_TTL_MS: envInteger(0, 3_600_000).default(30_000),
  USER_SERVICE_TIMEOUT_MS: envInteger(100, 60_000).default(3000),
  /** The auth service; its client-credentials token endpoint is `<AUTH_URL>/api/auth/token`. */
  AUTH_URL: envHttpUrl().describe('the auth service base URL, like http://auth'),
  AUTH_CLIENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/)
    .default('notification')
    .describe('an OAuth client id'),
  AUTH_CLIENT_SECRET: secret(z.string().min(16).describe('at least 16 characters')),
  AUTH_JWKS_URL: envHttpUrl().describe("the auth service's JWKS URL"),
  AUTH_ISSUER: z.string().min(1).default('shoal-auth').describe('the iss claim'),
  AUTH_AUDIENCE: z.string().min(1).default('shoal').describe('the aud claim'),
  /** Producers believed for each event family (anyone with events:publish can post an event). */
  AUTH_EVENT_SOURCE: z.string().min(1).default('/shoal/auth').describe('a CloudEvents source'),
  USER_EVENT_SOURCE: z.string().min(1).default('/shoal/user').describe('a CloudEvents source'),
  SMTP_HOST: z.string().min(1).describe('an SMTP host name'),
  SMTP_PORT: envInteger(1, 65535).default(587),
  /** true: TLS from the first byte (port 465); false: plain, STARTTLS when offered. */
  SMTP_SECURE: flag.default(false),
  SMTP_USER: z.string().min(1).optional().describe('an SMTP user name'),
  SMTP_PASSWORD: secret(z.string().min(1).optional()),
  SMTP_TIMEOUT_MS: envInteger(100, 120_000).default(10_000),
  /** SMTP connections kept open and used in parallel. */
  SMTP_POOL_SIZE: envInteger(1, 50).default(10),
  MAIL_FROM: z.string().min(3).describe('a sender address like no-reply@example.com'),
  /** The right-hand side of the Message-IDs this service makes. */
  MAIL_MESSAGE_ID_DOMAIN: z
    .string()
    .regex(/^[A-Za-z0-9.-]{1,253}$/)
    .default('notification.shoal')
    .describe('a domain name'),
  /** The `integration.*` template: `{type}`, `{name}`, `{source}` and `{data.<key>}` are filled in. */
  INTEGRATION_SUBJECT: z.string().min(1).max(200).default('{type}').describe('a subject template'),
  INTEGRATION_TEXT: z
    .string()
    .min(1)
    .max(10_000)
    .default('Hello {name},\n\nSomething happened in a connected system: {type}.\n')
    .describe('a text template'),
});

/** The notification service's parsed configuration. */
export type NotificationConfig = z.infer<typeof notificationConfigSchema>;

import { baseConfigSchema, envHttpUrl, envInteger } from '@shoal/kit';
import { z } from 'zod';

const queueName = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,80}$/)
  .describe('an SQS queue name');

/** Everything the user service reads from its environment (on top of the kit's base). */
export const userConfigSchema = baseConfigSchema.extend({
  SERVICE_NAME: baseConfigSchema.shape.SERVICE_NAME.default('user'),
  MONGO_URL: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//)
    .describe('a mongodb:// connection URL'),
  MONGO_DATABASE: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,60}$/)
    .default('users')
    .describe('a MongoDB database name'),
  SQS_ENDPOINT: z.url().optional().describe('an http(s) URL of the SQS endpoint (unset: AWS)'),
  AWS_REGION: z.string().min(1).default('us-east-1').describe('an AWS region like us-east-1'),
  /** Where this service's own events go (through its outbox). */
  EVENTS_QUEUE: queueName.default('platform-events'),
  /** The event hub's subscriber queue for this service (registrations arrive there). */
  USER_EVENTS_QUEUE: queueName.default('user-events'),
  /** Registrations are trusted only from this CloudEvents source. */
  AUTH_EVENT_SOURCE: z.string().min(1).default('/shoal/auth').describe('a CloudEvents source'),
  CONSUMER_CONCURRENCY: envInteger(1, 100).default(10),
  CONSUMER_WAIT_SEC: envInteger(0, 20).default(20),
  AUTH_JWKS_URL: envHttpUrl().describe("the auth service's JWKS URL"),
  AUTH_ISSUER: z.string().min(1).default('shoal-auth').describe('the iss claim'),
  AUTH_AUDIENCE: z.string().min(1).default('shoal').describe('the aud claim'),
  /** How often the outbox relay looks for unpublished events (writes also wake it). */
  OUTBOX_POLL_MS: envInteger(50, 60_000).default(1000),
});

/** The user service's parsed configuration. */
export type UserConfig = z.infer<typeof userConfigSchema>;

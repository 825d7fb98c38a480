import { baseConfigSchema, envHttpUrl, envInteger, secret } from '@shoal/kit';
import { z } from 'zod';

/** Everything the reporting service reads from its environment (on top of the kit's base). */
export const reportingConfigSchema = baseConfigSchema.extend({
  SERVICE_NAME: baseConfigSchema.shape.SERVICE_NAME.default('reporting'),
  // The URL carries the database password: never echo it in a config error.
  DATABASE_URL: secret(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//)
      .describe('a postgres:// connection URL'),
  ),
  DATABASE_POOL_SIZE: envInteger(1, 100).default(10),
  SQS_ENDPOINT: z.url().optional().describe('an http(s) URL of the SQS endpoint (unset: AWS)'),
  AWS_REGION: z.string().min(1).default('us-east-1').describe('an AWS region like us-east-1'),
  /** The event hub fans every event type to this queue; its DLQ is the name + "-dlq". */
  REPORTING_EVENTS_QUEUE: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,76}$/)
    .default('reporting-events')
    .describe('an SQS queue name (its DLQ is the name + "-dlq")'),
  /** A message that failed this many receives moves to the DLQ (the hub sets the same). */
  MAX_RECEIVE_COUNT: envInteger(1, 1000).default(5),
  /** Messages handled at once; they are written in shared transactions. */
  CONSUMER_CONCURRENCY: envInteger(1, 200).default(40),
  /** Long-poll wait of the consumer (0-20 s). */
  CONSUMER_WAIT_SEC: envInteger(0, 20).default(20),
  VISIBILITY_TIMEOUT_SEC: envInteger(1, 43_200).default(30),
  /** Most events written in one transaction. */
  WRITE_BATCH_MAX: envInteger(1, 1000).default(100),
  AUTH_JWKS_URL: envHttpUrl().describe("the auth service's JWKS URL"),
  AUTH_ISSUER: z.string().min(1).default('shoal-auth').describe('the iss claim'),
  AUTH_AUDIENCE: z.string().min(1).default('shoal').describe('the aud claim'),
  /** The longest time series one request may ask for, in buckets. */
  REPORT_MAX_BUCKETS: envInteger(1, 100_000).default(1000),
});

/** The reporting service's parsed configuration. */
export type ReportingConfig = z.infer<typeof reportingConfigSchema>;

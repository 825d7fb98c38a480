import { baseConfigSchema, envInteger, envParsedWith, envTrustProxy, secret } from '@shoal/kit';
import { z } from 'zod';
import { parseClientDefinitions } from './domain/client-registry.ts';
import { parseKeyEncryptionKey } from './domain/key-encryption.ts';
import { OWASP_SCRYPT_PARAMS, parseScryptParams } from './domain/password-hasher.ts';

/** Everything the auth service reads from its environment (on top of the kit's base). */
export const authConfigSchema = baseConfigSchema
  .extend({
    SERVICE_NAME: baseConfigSchema.shape.SERVICE_NAME.default('auth'),
    // The URL carries the database password: never echo it in a config error.
    DATABASE_URL: secret(
      z
        .string()
        .regex(/^postgres(ql)?:\/\//)
        .describe('a postgres:// connection URL'),
    ),
    DATABASE_POOL_SIZE: envInteger(1, 100).default(10),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//)
      .describe('a redis:// URL'),
    SQS_ENDPOINT: z.url().optional().describe('an http(s) URL of the SQS endpoint (unset: AWS)'),
    AWS_REGION: z.string().min(1).default('us-east-1').describe('an AWS region like us-east-1'),
    EVENTS_QUEUE: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,80}$/)
      .default('platform-events')
      .describe('an SQS queue name'),
    /** Base64 of 32 random bytes (`openssl rand -base64 32`); seals the signing keys at rest. */
    AUTH_KEY_ENCRYPTION_KEY: secret(envParsedWith(parseKeyEncryptionKey, '32 bytes in base64')),
    AUTH_ISSUER: z.string().min(1).default('shoal-auth').describe('the iss claim'),
    AUTH_AUDIENCE: z.string().min(1).default('shoal').describe('the aud claim'),
    ACCESS_TOKEN_TTL_SEC: envInteger(60, 24 * 3600).default(900),
    REFRESH_TOKEN_TTL_SEC: envInteger(300, 365 * 24 * 3600).default(30 * 24 * 3600),
    REFRESH_GRACE_SEC: envInteger(0, 300).default(10),
    /** How long a replica trusts its cached view of the signing keys. */
    SIGNING_KEY_CACHE_SEC: envInteger(1, 3600).default(30),
    JWKS_MAX_AGE_SEC: envInteger(0, 86_400).default(300),
    PASSWORD_SCRYPT_PARAMS: envParsedWith(
      parseScryptParams,
      'scrypt parameters like N=131072,r=8,p=1',
    ).default(OWASP_SCRYPT_PARAMS),
    LOGIN_FAILURES_PER_ACCOUNT: envInteger(1, 10_000).default(5),
    LOGIN_FAILURES_PER_ADDRESS: envInteger(1, 100_000).default(50),
    LOGIN_FAILURE_WINDOW_SEC: envInteger(1, 86_400).default(900),
    /** Each registration costs a full password hash: bound them per client address. */
    REGISTRATIONS_PER_ADDRESS: envInteger(1, 1_000_000).default(20),
    REGISTRATION_WINDOW_SEC: envInteger(1, 86_400).default(3600),
    /** Which hops may set X-Forwarded-For (the gateway, the ingress): login throttling keys on it. */
    TRUST_PROXY: envTrustProxy().default('loopback, linklocal, uniquelocal'),
    AUTH_ADMIN_EMAIL: z.email().optional().describe('an email address'),
    AUTH_ADMIN_PASSWORD: secret(
      z.string().min(12).max(256).describe('a password of 12 to 256 characters'),
    ).optional(),
    AUTH_CLIENTS: secret(
      envParsedWith(
        parseClientDefinitions,
        'a JSON array of {"client_id","client_secret","scopes":[...]}',
      ),
    ).default([]),
  })
  .superRefine((config, ctx) => {
    if ((config.AUTH_ADMIN_EMAIL === undefined) !== (config.AUTH_ADMIN_PASSWORD === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['AUTH_ADMIN_PASSWORD'],
        message: 'AUTH_ADMIN_EMAIL and AUTH_ADMIN_PASSWORD go together: set both or neither',
      });
    }
  });

/** The auth service's parsed configuration. */
export type AuthConfig = z.infer<typeof authConfigSchema>;

import { randomBytes } from 'node:crypto';
import { createLogger, parseConfig } from '@shoal/kit';
import {
  ApiContract,
  ContractCheckedClient,
  createTestDatabase,
  loadDepsEnv,
  uniqueName,
} from '@shoal/testbed';
import { createAuthService } from '../../src/app.ts';
import type { AuthService } from '../../src/app.ts';
import { authConfigSchema } from '../../src/config.ts';
import type { AuthConfig } from '../../src/config.ts';
import type { TestDatabase } from '@shoal/testbed';

/** Cheap scrypt parameters for the bulk of the tests (the default ones cost ~0.3 s each). */
export const CHEAP_SCRYPT = 'N=1024,r=8,p=1';

/** What several service instances of one test share: database, queue, keys, Redis prefix. */
export interface TestEnvironment {
  readonly database: TestDatabase;
  /** Environment variables every instance in this environment starts with. */
  readonly env: Record<string, string>;
  /** Drops the database. */
  dispose(): Promise<void>;
}

/** A fresh database, events queue name, key-encryption key and service name. */
export async function createTestEnvironment(): Promise<TestEnvironment> {
  const deps = loadDepsEnv();
  // The AWS SDK reads credentials from the process environment.
  process.env['AWS_ACCESS_KEY_ID'] ??= deps.AWS_ACCESS_KEY_ID;
  process.env['AWS_SECRET_ACCESS_KEY'] ??= deps.AWS_SECRET_ACCESS_KEY;
  const database = await createTestDatabase('auth');
  return {
    database,
    env: {
      SERVICE_NAME: uniqueName('auth'),
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: '5',
      REDIS_URL: deps.REDIS_URL,
      SQS_ENDPOINT: deps.SQS_ENDPOINT,
      AWS_REGION: deps.AWS_REGION,
      EVENTS_QUEUE: uniqueName('auth-events'),
      AUTH_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      PASSWORD_SCRYPT_PARAMS: CHEAP_SCRYPT,
      SHUTDOWN_DELAY_MS: '0',
      SHUTDOWN_TIMEOUT_MS: '5000',
      LOG_LEVEL: 'error',
      // Every test registers from 127.0.0.1; the limit has its own test.
      REGISTRATIONS_PER_ADDRESS: '10000',
    },
    dispose: () => database.drop(),
  };
}

/** One running instance of the auth service, in this process, on a free port. */
export interface AuthUnderTest {
  readonly url: string;
  /** Checks every response against openapi.yaml. */
  readonly api: ContractCheckedClient;
  readonly auth: AuthService;
  readonly config: AuthConfig;
  stop(): Promise<void>;
}

const contract = ApiContract.fromFile(new URL('../../openapi.yaml', import.meta.url));

/** Starts an instance in `environment`, with `overrides` on top of its variables. */
export async function startAuth(
  environment: TestEnvironment,
  overrides: Record<string, string> = {},
): Promise<AuthUnderTest> {
  const config = parseConfig(authConfigSchema, {
    env: { ...environment.env, ...overrides },
    envFile: false,
  });
  const auth = createAuthService(config, {
    logger: createLogger({
      service: config.SERVICE_NAME,
      level: config.LOG_LEVEL,
      stream: process.stderr,
    }),
  });
  const { url } = await auth.start({ port: 0, handleSignals: false });
  return {
    url,
    api: new ContractCheckedClient(url, contract),
    auth,
    config,
    stop: () => auth.stop(),
  };
}

/** A registration body with a unique email. */
export function newAccount(
  overrides: Partial<{ email: string; password: string; name: string }> = {},
) {
  return {
    email: `${uniqueName('user')}@example.com`,
    password: 'correct horse battery staple',
    name: 'Test User',
    ...overrides,
  };
}

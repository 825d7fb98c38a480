// The auth service as a real process, for the tests of services that need real tokens: user
// tokens, an admin token and service tokens (client credentials), signed by auth's own keys
// and verified by the service under test through auth's JWKS, as in production.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { findRepoRoot, loadDepsEnv } from './deps-env.ts';
import { uniqueName } from './unique-name.ts';

/** The first admin the auth process creates at start. */
export const TEST_ADMIN = { email: 'admin@example.com', password: 'admin password of some length' };

/** A user of the running auth service, logged in. */
export interface TestUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly token: string;
}

/**
 * The REAL auth service, run as its own process (`services/auth/src/main.ts`) on a fresh
 * PostgreSQL database: user tokens, admin tokens and service tokens come from it, and its
 * registrations go to `eventsQueue` through its outbox, as in production.
 */
export interface AuthProcess {
  readonly url: string;
  readonly jwksUrl: string;
  readonly issuer: string;
  readonly audience: string;
  /** Where its events go (the event service's ingest queue in the flow test). */
  readonly eventsQueue: string;
  register(name?: string): Promise<TestUser>;
  adminToken(): Promise<string>;
  serviceToken(client: { id: string; secret: string }): Promise<string>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

async function postJson(url: string, body: unknown, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${url} -> ${response.status}: ${JSON.stringify(json)}`);
  return json;
}

/** A client-credentials client the auth process knows (the services calling each other). */
export interface TestClient {
  readonly id: string;
  readonly secret: string;
  readonly scopes: readonly string[];
}

/**
 * Starts the real auth service (services/auth) on a free port, on a fresh database named
 * `<databasePrefix>_<random>`, knowing `clients`, and waits until it is ready (bounded).
 */
export async function startAuthProcess(options: {
  clients: readonly TestClient[];
  databasePrefix: string;
}): Promise<AuthProcess> {
  const deps = loadDepsEnv();
  const database = uniqueName(options.databasePrefix, '_');
  const admin = new pg.Client({ connectionString: deps.PG_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  const databaseUrl = new URL(deps.PG_URL);
  databaseUrl.pathname = `/${database}`;
  const port = await freePort();
  const eventsQueue = uniqueName('platform-events');
  const main = join(findRepoRoot(), 'services', 'auth', 'src', 'main.ts');
  const child: ChildProcess = spawn(process.execPath, [main], {
    // Not the repo: a developer's .env must not leak into the test's configuration.
    cwd: tmpdir(),
    stdio: ['ignore', 'ignore', 'inherit'],
    env: {
      ...process.env,
      AWS_ACCESS_KEY_ID: deps.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: deps.AWS_SECRET_ACCESS_KEY,
      SERVICE_NAME: uniqueName('auth'),
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: databaseUrl.toString(),
      DATABASE_POOL_SIZE: '4',
      REDIS_URL: deps.REDIS_URL,
      SQS_ENDPOINT: deps.SQS_ENDPOINT,
      AWS_REGION: deps.AWS_REGION,
      EVENTS_QUEUE: eventsQueue,
      AUTH_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      PASSWORD_SCRYPT_PARAMS: 'N=1024,r=8,p=1',
      AUTH_ADMIN_EMAIL: TEST_ADMIN.email,
      AUTH_ADMIN_PASSWORD: TEST_ADMIN.password,
      AUTH_CLIENTS: JSON.stringify(
        options.clients.map((client) => ({
          client_id: client.id,
          client_secret: client.secret,
          scopes: client.scopes,
        })),
      ),
      REGISTRATIONS_PER_ADDRESS: '100000',
      SHUTDOWN_DELAY_MS: '0',
      LOG_LEVEL: 'error',
    },
  });
  const exited = once(child, 'exit');
  const url = `http://127.0.0.1:${port}`;
  let ready = false;
  for (let attempt = 0; attempt < 150 && !ready && child.exitCode === null; attempt += 1) {
    ready = await fetch(`${url}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (!ready) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const dropDatabase = async () => {
    const client = new pg.Client({ connectionString: deps.PG_URL });
    await client.connect();
    try {
      await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    } finally {
      await client.end();
    }
  };
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await dropDatabase();
  };
  if (!ready) {
    await stop();
    throw new Error('the auth service did not become ready');
  }
  let adminToken: Promise<string> | undefined;
  return {
    url,
    jwksUrl: `${url}/api/auth/.well-known/jwks.json`,
    issuer: 'shoal-auth',
    audience: 'shoal',
    eventsQueue,
    async register(name = 'Test User') {
      const email = `${uniqueName('user')}@example.com`;
      const password = 'correct horse battery staple';
      const registered = await postJson(`${url}/api/auth/register`, { email, password, name });
      const login = await postJson(`${url}/api/auth/login`, { email, password });
      return {
        id: String(registered['id']),
        email,
        name,
        token: String(login['access_token']),
      };
    },
    adminToken() {
      adminToken ??= postJson(`${url}/api/auth/login`, TEST_ADMIN).then((body) =>
        String(body['access_token']),
      );
      return adminToken;
    },
    async serviceToken(client) {
      const body = await postJson(`${url}/api/auth/token`, {
        grant_type: 'client_credentials',
        client_id: client.id,
        client_secret: client.secret,
      });
      return String(body['access_token']);
    },
    stop,
  };
}

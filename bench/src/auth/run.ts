// The auth benchmark (`make bench-auth`): token verification per second with the kit against
// bare jsonwebtoken, login latency at the production hash parameters, and
// register + login + refresh throughput, against the testbed PostgreSQL and Redis.
// The auth service runs as its own process; the load and the verifier run here.
import { randomBytes, createPublicKey } from 'node:crypto';
import { createTokenVerifier } from '@shoal/kit';
import { loadDepsEnv, uniqueName } from '@shoal/testbed';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { startAuthProcess } from './auth-process.ts';
import type { AuthProcess } from './auth-process.ts';
import { formatSummary, summarize } from './latency-stats.ts';

const VERIFY_SECONDS = Number(process.env['BENCH_VERIFY_SECONDS'] ?? 5);
const LOGIN_SAMPLES = Number(process.env['BENCH_LOGIN_SAMPLES'] ?? 40);
const FLOW_SECONDS = Number(process.env['BENCH_FLOW_SECONDS'] ?? 10);
const FLOW_CONCURRENCY = Number(process.env['BENCH_FLOW_CONCURRENCY'] ?? 8);
const CHEAP_SCRYPT = 'N=1024,r=8,p=1';
const OWASP_SCRYPT = 'N=131072,r=8,p=1';

interface TokenPair {
  access_token: string;
  refresh_token: string;
}

async function post<T>(url: string, body: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json().catch(() => ({}))) as T };
}

function account(): { email: string; password: string; name: string } {
  return {
    email: `${uniqueName('bench')}@example.com`,
    password: 'correct horse battery staple',
    name: 'Bench',
  };
}

async function timed<T>(samples: number[], work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  samples.push(performance.now() - started);
  return result;
}

async function expectOk(step: string, response: Promise<{ status: number; body: unknown }>) {
  const { status, body } = await response;
  if (status >= 300) throw new Error(`${step} answered ${status}: ${JSON.stringify(body)}`);
  return body;
}

async function expectStatus(expected: number, response: Promise<{ status: number }>) {
  const { status } = await response;
  if (status !== expected) throw new Error(`expected ${expected}, got ${status}`);
}

/** Runs `work` in a loop for `seconds` (single event loop); returns iterations per second. */
async function perSecond(seconds: number, work: () => unknown): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let count = 0;
  const started = performance.now();
  while (performance.now() < deadline) {
    for (let i = 0; i < 100; i += 1) await work();
    count += 100;
  }
  return count / ((performance.now() - started) / 1000);
}

async function benchVerification(auth: AuthProcess): Promise<void> {
  const tokens: string[] = [];
  for (let i = 0; i < 20; i += 1) {
    const user = account();
    await expectOk('register', post(`${auth.url}/api/auth/register`, user));
    const login = (await expectOk('login', post(`${auth.url}/api/auth/login`, user))) as TokenPair;
    tokens.push(login.access_token);
  }
  const jwksUrl = `${auth.url}/api/auth/.well-known/jwks.json`;
  const verify = createTokenVerifier({ jwksUrl, issuer: 'shoal-auth', audience: 'shoal' });
  await verify(tokens[0] as string); // fetch and cache the JWKS
  let next = 0;
  const kitRate = await perSecond(VERIFY_SECONDS, () =>
    verify(tokens[next++ % tokens.length] as string),
  );

  const jwks = (await (await fetch(jwksUrl)).json()) as { keys: { n: string; e: string }[] };
  const key = jwks.keys[0] as { n: string; e: string };
  const publicKey = createPublicKey({ key: { kty: 'RSA', n: key.n, e: key.e }, format: 'jwk' });
  const bareRate = await perSecond(VERIFY_SECONDS, () =>
    jwt.verify(tokens[next++ % tokens.length] as string, publicKey, {
      algorithms: ['RS256'],
      issuer: 'shoal-auth',
      audience: 'shoal',
    }),
  );
  // What the kit hands jsonwebtoken today (jwks-rsa's getPublicKey() is a PEM string, parsed
  // again on every verify): isolates that cost from the rest of the kit's work.
  const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const pemRate = await perSecond(VERIFY_SECONDS, () =>
    jwt.verify(tokens[next++ % tokens.length] as string, pem, {
      algorithms: ['RS256'],
      issuer: 'shoal-auth',
      audience: 'shoal',
    }),
  );
  console.log('token verification, one core, one event loop:');
  console.log(
    `  kit createTokenVerifier (cached JWKS):           ${kitRate.toFixed(0)} verifications/s`,
  );
  console.log(
    `  bare jsonwebtoken.verify, KeyObject (reference): ${bareRate.toFixed(0)} verifications/s`,
  );
  console.log(
    `  bare jsonwebtoken.verify, PEM string:            ${pemRate.toFixed(0)} verifications/s`,
  );
  console.log(`  ratio kit / bare: ${(kitRate / bareRate).toFixed(2)}`);
}

async function benchLoginLatency(auth: AuthProcess, label: string): Promise<void> {
  const user = account();
  await expectOk('register', post(`${auth.url}/api/auth/register`, user));
  await expectOk('login (warm-up)', post(`${auth.url}/api/auth/login`, user));
  const sequential: number[] = [];
  for (let i = 0; i < LOGIN_SAMPLES; i += 1) {
    await timed(sequential, () => expectOk('login', post(`${auth.url}/api/auth/login`, user)));
  }
  const wrong: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < 10; i += 1) {
    await timed(wrong, () =>
      expectStatus(
        401,
        post(`${auth.url}/api/auth/login`, { ...user, password: `wrong password ${i}` }),
      ),
    );
    await timed(unknown, () =>
      expectStatus(
        401,
        post(`${auth.url}/api/auth/login`, { ...account(), password: 'x'.repeat(12) }),
      ),
    );
  }
  console.log(`login latency, sequential, scrypt ${label}:`);
  console.log(`  success:        ${formatSummary(summarize(sequential))}`);
  console.log(`  wrong password: ${formatSummary(summarize(wrong))}`);
  console.log(`  unknown email:  ${formatSummary(summarize(unknown))}`);
}

async function benchFlows(auth: AuthProcess, label: string): Promise<void> {
  const steps = { register: [] as number[], login: [] as number[], refresh: [] as number[] };
  let flows = 0;
  const deadline = performance.now() + FLOW_SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: FLOW_CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const user = account();
        await timed(steps.register, () =>
          expectOk('register', post(`${auth.url}/api/auth/register`, user)),
        );
        const pair = (await timed(steps.login, () =>
          expectOk('login', post(`${auth.url}/api/auth/login`, user)),
        )) as TokenPair;
        await timed(steps.refresh, () =>
          expectOk(
            'refresh',
            post(`${auth.url}/api/auth/refresh`, { refresh_token: pair.refresh_token }),
          ),
        );
        flows += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  console.log(
    `register + login + refresh, ${FLOW_CONCURRENCY} concurrent clients, scrypt ${label}:`,
  );
  console.log(
    `  ${(flows / elapsed).toFixed(1)} flows/s (${flows} flows in ${elapsed.toFixed(1)} s)`,
  );
  for (const [step, samples] of Object.entries(steps)) {
    console.log(`  ${step.padEnd(8)} ${formatSummary(summarize(samples))}`);
  }
}

async function main(): Promise<void> {
  const deps = loadDepsEnv();
  const database = uniqueName('auth_bench', '_');
  const admin = new pg.Client({ connectionString: deps.PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(deps.PG_URL);
  url.pathname = `/${database}`;
  const common = {
    DATABASE_URL: url.toString(),
    REDIS_URL: deps.REDIS_URL,
    SQS_ENDPOINT: deps.SQS_ENDPOINT,
    AWS_REGION: deps.AWS_REGION,
    AWS_ACCESS_KEY_ID: deps.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: deps.AWS_SECRET_ACCESS_KEY,
    EVENTS_QUEUE: uniqueName('auth-bench-events'),
    AUTH_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SHUTDOWN_DELAY_MS: '0',
    // The load comes from one address and fails on purpose: production limits would turn
    // the measured failures into cheap 429s.
    REGISTRATIONS_PER_ADDRESS: '1000000',
    LOGIN_FAILURES_PER_ACCOUNT: '10000',
    LOGIN_FAILURES_PER_ADDRESS: '10000',
  };
  console.log(`node ${process.version}, database ${database}`);
  try {
    const owasp = await startAuthProcess({
      ...common,
      SERVICE_NAME: uniqueName('auth-bench'),
      PASSWORD_SCRYPT_PARAMS: OWASP_SCRYPT,
    });
    try {
      await benchVerification(owasp);
      await benchLoginLatency(owasp, OWASP_SCRYPT);
      await benchFlows(owasp, OWASP_SCRYPT);
    } finally {
      await owasp.stop();
    }
    const cheap = await startAuthProcess({
      ...common,
      SERVICE_NAME: uniqueName('auth-bench'),
      PASSWORD_SCRYPT_PARAMS: CHEAP_SCRYPT,
    });
    try {
      console.log('-- same flows with cheap hashing, to show the cost outside the hash --');
      await benchLoginLatency(cheap, CHEAP_SCRYPT);
      await benchFlows(cheap, CHEAP_SCRYPT);
    } finally {
      await cheap.stop();
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}

await main();

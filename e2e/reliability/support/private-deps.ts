// The reliability suite's own data servers: PostgreSQL, FerretDB and Redis from the binaries
// testbed/deps.sh installs and builds (Debian packages, the FerretDB build in $SHOAL_CACHE),
// each on a free port with its data under .testbed/reliability/<id>/, plus a cuttable endpoint
// in front of the shared ElasticMQ (its queues live in memory, so a restart would lose them).
// Restarting these disturbs no one else's tests, here or in CI.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import { findRepoRoot, loadDepsEnv } from '@shoal/testbed';
import type { DepsEnv } from '@shoal/testbed';
import { freePort } from '../../src/index.ts';
import { PrivateServer } from './private-server.ts';
import { startTcpCut } from './tcp-cut.ts';
import type { TcpCut } from './tcp-cut.ts';

/** The private servers and the DepsEnv that points at them. */
export interface PrivateDeps {
  readonly env: DepsEnv;
  readonly postgres: PrivateServer;
  readonly ferretdb: PrivateServer;
  readonly redis: PrivateServer;
  /** In front of the shared ElasticMQ: cut() makes the SQS endpoint vanish for this run only. */
  readonly sqs: TcpCut;
  readonly dir: string;
  /** Stops everything and removes the data. */
  stop(): Promise<void>;
}

const isRoot = process.getuid?.() === 0;
/** PostgreSQL refuses to run as root: under root it runs as `postgres`, like testbed/deps.sh. */
const AS_POSTGRES = [
  'setpriv',
  '--reuid=postgres',
  '--regid=postgres',
  '--init-groups',
  '--reset-env',
  '--',
];

function postgresBinDir(): string {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  for (const version of versions) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (existsSync(`${dir}/postgres`)) return dir;
  }
  throw new Error('PostgreSQL is not installed (make deps-up installs it)');
}

function ferretdbBinary(): string {
  const cache = process.env['SHOAL_CACHE'] ?? join(homedir(), '.cache', 'shoal');
  const dir = join(cache, 'ferretdb');
  const versions = existsSync(dir)
    ? readdirSync(dir).filter((v) => existsSync(join(dir, v, 'ferretdb')))
    : [];
  const newest = versions.sort().pop();
  if (newest === undefined)
    throw new Error(`no FerretDB build under ${dir} (make deps-up builds it)`);
  return join(dir, newest, 'ferretdb');
}

/** One Redis PING over a raw socket. */
async function pingRedis(port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(2000, () => socket.destroy(new Error('timeout')));
    socket.once('error', reject);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      if (data.toString().startsWith('+PONG')) resolve();
      else reject(new Error(data.toString()));
    });
  });
}

async function pingPostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function pingMongo(url: string): Promise<void> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 2000 });
  try {
    await client.db('admin').command({ ping: 1 });
  } finally {
    await client.close();
  }
}

function makePostgres(dir: string, port: number): PrivateServer {
  const bin = postgresBinDir();
  const home = join(dir, 'postgres');
  const data = join(home, 'data');
  const run = join(home, 'run');
  mkdirSync(run, { recursive: true });
  const asOwner = isRoot ? AS_POSTGRES : [];
  if (isRoot) execFileSync('chown', ['-R', 'postgres:postgres', home]);
  // A fresh cluster: superuser shoal, trust on loopback (a private, throw-away server).
  execFileSync(
    asOwner[0] ?? `${bin}/initdb`,
    [
      ...asOwner.slice(1),
      ...(isRoot ? [`${bin}/initdb`] : []),
      '-D',
      data,
      '-U',
      'shoal',
      '-E',
      'UTF8',
      '--locale=C.UTF-8',
      '--auth-local=trust',
      '--auth-host=trust',
    ],
    { stdio: 'ignore' },
  );
  const url = `postgres://shoal:shoal@127.0.0.1:${port}/postgres`;
  return new PrivateServer({
    name: 'postgres',
    port,
    logFile: join(dir, 'postgres.log'),
    stopSignal: 'SIGINT',
    command: [
      ...asOwner,
      `${bin}/postgres`,
      '-D',
      data,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `port=${port}`,
      '-c',
      `unix_socket_directories=${run}`,
      '-c',
      'fsync=off',
      '-c',
      'max_connections=200',
    ],
    probe: () => pingPostgres(url),
  });
}

/** Starts the private servers (in parallel) and the SQS cut in front of the shared ElasticMQ. */
export async function startPrivateDeps(): Promise<PrivateDeps> {
  const shared = loadDepsEnv();
  const dir = join(findRepoRoot(), '.testbed', 'reliability', randomBytes(4).toString('hex'));
  mkdirSync(dir, { recursive: true });
  const [pgPort, mongoPort, redisPort] = [await freePort(), await freePort(), await freePort()];
  const postgres = makePostgres(dir, pgPort);
  mkdirSync(join(dir, 'ferretdb', 'data'), { recursive: true });
  const mongoUrl = `mongodb://127.0.0.1:${mongoPort}/`;
  const ferretdb = new PrivateServer({
    name: 'ferretdb',
    port: mongoPort,
    logFile: join(dir, 'ferretdb.log'),
    stopSignal: 'SIGTERM',
    env: { DO_NOT_TRACK: '1' },
    command: [
      ferretdbBinary(),
      `--listen-addr=127.0.0.1:${mongoPort}`,
      '--handler=sqlite',
      `--sqlite-url=file:${join(dir, 'ferretdb', 'data')}/`,
      `--state-dir=${join(dir, 'ferretdb')}`,
      '--telemetry=disable',
      '--debug-addr=-',
      '--log-level=warn',
    ],
    probe: () => pingMongo(mongoUrl),
  });
  const redis = new PrivateServer({
    name: 'redis',
    port: redisPort,
    logFile: join(dir, 'redis.log'),
    stopSignal: 'SIGTERM',
    command: [
      'redis-server',
      '--bind',
      '127.0.0.1',
      '--port',
      String(redisPort),
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
    ],
    probe: () => pingRedis(redisPort),
  });
  const servers = [postgres, ferretdb, redis];
  const sqs = await startTcpCut(shared.SQS_ENDPOINT);
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await sqs.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(servers.map((server) => server.start()));
  } catch (error) {
    await stop();
    throw error;
  }
  writeFileSync(
    join(dir, 'README'),
    'private data servers of one reliability run; removed at its end\n',
  );
  return {
    env: {
      ...shared,
      PG_URL: `postgres://shoal:shoal@127.0.0.1:${pgPort}/postgres`,
      MONGO_URL: mongoUrl,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
      SQS_ENDPOINT: sqs.url,
    },
    postgres,
    ferretdb,
    redis,
    sqs,
    dir,
    stop,
  };
}

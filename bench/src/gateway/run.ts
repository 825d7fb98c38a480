// Gateway benchmark: the same upstream, in the same run, reached directly, through the
// gateway (JWT verification and a Redis rate limit on every request) and through nginx
// (one worker, keep-alive upstream) as the reference proxy. Prints rps, p50, p99, CPU per
// request and the ratios, then latency at a fixed 1,000 rps (direct vs gateway).
//   npm run gateway -w @shoal/bench     (GATEWAY_BENCH_SECONDS=10, GATEWAY_BENCH_CONNECTIONS=32,
//   GATEWAY_BENCH_TARGETS=nginx,raw,gateway to run a subset, GATEWAY_BENCH_SKIP_FIXED=1)
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { findRepoRoot, loadDepsEnv } from '@shoal/testbed';
import { startGateway } from './gateway-process.ts';
import { startNginx } from './nginx-process.ts';
import { processTreeCpuMs } from './process-cpu.ts';
import { startTokenFixture } from './signed-token.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const SECONDS = Number(process.env['GATEWAY_BENCH_SECONDS'] ?? 10);
const WARMUP_SECONDS = Math.max(2, Math.round(SECONDS / 3));
const CONNECTIONS = Number(process.env['GATEWAY_BENCH_CONNECTIONS'] ?? 32);
const FIXED_RATE = Number(process.env['GATEWAY_BENCH_RATE'] ?? 1000);
/** First words of the targets to run (`nginx,gateway`); unset = all. */
const ONLY = process.env['GATEWAY_BENCH_TARGETS']?.split(',').map((name) => name.trim());
/** `1` skips the fixed-rate phase (quicker iterations). */
const SKIP_FIXED = process.env['GATEWAY_BENCH_SKIP_FIXED'] === '1';

interface Target {
  name: string;
  url: string;
  /** The process whose CPU is charged to this target (undefined: only the upstream's). */
  pid: number | undefined;
}

interface Row {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  cpuUsPerRequest: number | undefined;
  failures: number;
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

/** Starts a server script of this folder as a child; resolves with the port it prints. */
async function startChild(
  script: string,
  args: string[] = [],
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [join(HERE, script), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const [first] = (await once(lines, 'line')) as [string];
  return { child, port: (JSON.parse(first) as { port: number }).port };
}

function load(
  url: string,
  token: string,
  seconds: number,
  rate?: number,
): Promise<autocannon.Result> {
  return autocannon({
    url,
    connections: rate === undefined ? CONNECTIONS : 16,
    duration: seconds,
    pipelining: 1,
    headers: { authorization: `Bearer ${token}` },
    ...(rate === undefined ? {} : { overallRate: rate }),
  });
}

async function measure(target: Target, token: string, rate?: number): Promise<Row> {
  await load(target.url, token, WARMUP_SECONDS, rate);
  const cpuBefore = target.pid === undefined ? 0 : processTreeCpuMs(target.pid);
  const result = await load(target.url, token, SECONDS, rate);
  const cpuMs = target.pid === undefined ? undefined : processTreeCpuMs(target.pid) - cpuBefore;
  return {
    name: target.name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuUsPerRequest:
      cpuMs === undefined ? undefined : (cpuMs * 1000) / Math.max(1, result.requests.total),
    failures: result.non2xx + result.errors + result.timeouts,
  };
}

/** Prints `a / b` for each pair of rows present in this run. */
function printRatios(
  rows: Row[],
  ratio: (a: Row, b: Row) => number,
  unit: string,
  pairs: [string, string][],
): void {
  const byName = new Map(rows.map((row) => [row.name, row]));
  const parts: string[] = [];
  for (const [a, b] of pairs) {
    const rowA = byName.get(a);
    const rowB = byName.get(b);
    if (rowA && rowB) parts.push(`${a} / ${b}: ${ratio(rowA, rowB).toFixed(2)}`);
  }
  if (parts.length > 0) console.log(`${unit} ratios: ${parts.join('; ')}`);
}

function print(title: string, rows: Row[]): void {
  console.log(`\n${title}`);
  console.log('target                     rps    p50 ms  p99 ms  proxy cpu µs/req  failures');
  for (const row of rows) {
    const cpu = row.cpuUsPerRequest === undefined ? '-' : row.cpuUsPerRequest.toFixed(0);
    console.log(
      `${row.name.padEnd(23)} ${row.rps.toFixed(0).padStart(7)}  ${row.p50.toFixed(2).padStart(6)}  ${row.p99.toFixed(2).padStart(6)}  ${cpu.padStart(16)}  ${String(row.failures).padStart(8)}`,
    );
  }
}

const root = findRepoRoot();
const dir = join(root, '.testbed', 'bench-gateway');
mkdirSync(dir, { recursive: true });
const { REDIS_URL } = loadDepsEnv();
const upstream = await startChild('upstream-server.ts');
const fixture = await startTokenFixture();
const children: ChildProcess[] = [upstream.child];
const fixed: Row[] = [];
try {
  const nginx = await startNginx(dir, await freePort(), upstream.port);
  children.push(nginx.child);
  const bare = await startChild('bare-proxy.ts', [String(upstream.port)]);
  children.push(bare.child);
  const raw = await startChild('raw-proxy.ts', [String(upstream.port)]);
  children.push(raw.child);
  const hpm = await startChild('hpm-proxy.ts', [String(upstream.port)]);
  children.push(hpm.child);
  const gatewayOptions = {
    root,
    dir,
    upstreamPort: upstream.port,
    jwksUrl: fixture.jwksUrl,
    redisUrl: REDIS_URL,
  };
  const gateway = await startGateway({
    ...gatewayOptions,
    port: await freePort(),
    adminPort: await freePort(),
    tracing: false,
  });
  children.push(gateway.child);
  const traced = await startGateway({
    ...gatewayOptions,
    port: await freePort(),
    adminPort: await freePort(),
    tracing: true,
  });
  children.push(traced.child);

  const allTargets: Target[] = [
    { name: 'direct', url: `http://127.0.0.1:${upstream.port}/hello`, pid: undefined },
    { name: 'nginx', url: `http://127.0.0.1:${nginx.port}/hello`, pid: nginx.child.pid },
    { name: 'raw node:http proxy', url: `http://127.0.0.1:${raw.port}/hello`, pid: raw.child.pid },
    { name: 'hpm on node:http', url: `http://127.0.0.1:${hpm.port}/hello`, pid: hpm.child.pid },
    { name: 'bare express+hpm', url: `http://127.0.0.1:${bare.port}/hello`, pid: bare.child.pid },
    { name: 'gateway', url: `http://127.0.0.1:${gateway.port}/hello`, pid: gateway.child.pid },
    {
      name: 'gateway + tracing',
      url: `http://127.0.0.1:${traced.port}/hello`,
      pid: traced.child.pid,
    },
  ];
  const targets = allTargets.filter(
    (target) => ONLY === undefined || ONLY.includes(target.name.split(' ')[0] as string),
  );
  process.stderr.write(
    `throughput: ${WARMUP_SECONDS}s warm-up + ${SECONDS}s per target, ${CONNECTIONS} connections\n`,
  );
  const throughput: Row[] = [];
  for (const target of targets) throughput.push(await measure(target, fixture.token));
  print(
    `Throughput (${CONNECTIONS} connections, auth + rate limit on through the gateway)`,
    throughput,
  );
  printRatios(throughput, (a, b) => a.rps / b.rps, 'rps', [
    ['gateway', 'nginx'],
    ['gateway + tracing', 'nginx'],
    ['raw node:http proxy', 'nginx'],
    ['hpm on node:http', 'nginx'],
    ['bare express+hpm', 'nginx'],
    ['gateway', 'bare express+hpm'],
    ['gateway', 'hpm on node:http'],
    ['gateway', 'raw node:http proxy'],
    ['nginx', 'direct'],
  ]);

  if (!SKIP_FIXED) {
    process.stderr.write(`fixed rate: ${FIXED_RATE} rps per target\n`);
    for (const target of targets) fixed.push(await measure(target, fixture.token, FIXED_RATE));
    print(`Fixed rate ${FIXED_RATE} rps`, fixed);
    const p99 = (name: string) => fixed.find((row) => row.name === name)?.p99;
    const directP99 = p99('direct');
    for (const name of ['nginx', 'gateway', 'gateway + tracing']) {
      const proxyP99 = p99(name);
      if (directP99 !== undefined && proxyP99 !== undefined) {
        console.log(`added p99 over direct: ${name} ${(proxyP99 - directP99).toFixed(2)} ms`);
      }
    }
  }
  if ([...throughput, ...fixed].some((row) => row.failures > 0)) {
    console.error('some requests failed: the numbers above are not comparable');
    process.exitCode = 1;
  }
} finally {
  for (const child of children.reverse()) {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }
  fixture.server.close();
}

// Where the gateway's CPU goes: runs the benchmark's gateway (auth + rate limit, routes file)
// under `node --cpu-prof`, loads it with autocannon, stops it, and prints the hottest
// functions and packages by self time.
//   npm run gateway-profile -w @shoal/bench   (PROFILE_SECONDS=10, PROFILE_TRACING=1 for the
//   preload, PROFILE_RATE=1000 for a fixed rate)
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { findRepoRoot, loadDepsEnv } from '@shoal/testbed';
import { startGateway } from './gateway-process.ts';
import { startTokenFixture } from './signed-token.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const SECONDS = Number(process.env['PROFILE_SECONDS'] ?? 10);
const TRACING = process.env['PROFILE_TRACING'] === '1';
const TOP = Number(process.env['PROFILE_TOP'] ?? 40);
/** A fixed request rate instead of as fast as possible (e.g. 1000). */
const RATE =
  process.env['PROFILE_RATE'] === undefined ? undefined : Number(process.env['PROFILE_RATE']);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
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

/** `node_modules/<pkg>`, the repo package, or Node's own code: where a frame's time is charged. */
function owner(url: string): string {
  if (url === '') return '(native/vm)';
  if (url.startsWith('node:internal/')) return url.split('/').slice(0, 3).join('/');
  if (url.startsWith('node:')) return url;
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + 13).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? url);
  }
  const repo = url.indexOf('/main/');
  return repo >= 0 ? url.slice(repo + 6).replace(/\/src\/.*$/, '') : url;
}

function summarize(profile: CpuProfile, requests: number): void {
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') {
      idle += us;
      continue;
    }
    total += us;
    const short = url.replace(/^.*node_modules\//, '').replace(/^.*\/main\//, '');
    const key = `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    const pkg = functionName.startsWith('(') ? functionName : owner(url);
    byOwner.set(pkg, (byOwner.get(pkg) ?? 0) + us);
  }
  const line = (name: string, us: number): string =>
    `${((us / total) * 100).toFixed(1).padStart(5)} %  ${(us / requests).toFixed(1).padStart(6)} µs/req  ${name}`;
  console.log(
    `\nbusy ${(total / 1e6).toFixed(1)} s, idle ${(idle / 1e6).toFixed(1)} s, ${requests} requests: ${(total / requests).toFixed(1)} µs busy per request (profiler overhead included)`,
  );
  console.log('\nby package (self time)');
  for (const [name, us] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    console.log(line(name, us));
  }
  console.log('\nby function (self time)');
  for (const [name, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, TOP)) {
    console.log(line(name, us));
  }
}

const root = findRepoRoot();
const dir = join(root, '.testbed', 'bench-gateway');
const profileDir = join(dir, 'profile');
rmSync(profileDir, { recursive: true, force: true });
mkdirSync(profileDir, { recursive: true });
const { REDIS_URL } = loadDepsEnv();
const upstreamChild: ChildProcess = spawn(process.execPath, [join(HERE, 'upstream-server.ts')], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
const [first] = (await once(
  createInterface({ input: upstreamChild.stdout as NodeJS.ReadableStream }),
  'line',
)) as [string];
const upstreamPort = (JSON.parse(first) as { port: number }).port;
const fixture = await startTokenFixture();
try {
  const gateway = await startGateway({
    root,
    dir,
    upstreamPort,
    jwksUrl: fixture.jwksUrl,
    redisUrl: REDIS_URL,
    port: await freePort(),
    adminPort: await freePort(),
    tracing: TRACING,
    nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir],
  });
  const result = await autocannon({
    url: `http://127.0.0.1:${gateway.port}/hello`,
    connections: 32,
    duration: SECONDS,
    headers: { authorization: `Bearer ${fixture.token}` },
    ...(RATE === undefined ? {} : { overallRate: RATE, connections: 16 }),
  });
  console.log(
    `${result.requests.average.toFixed(0)} rps, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, ${result.non2xx + result.errors} failures`,
  );
  gateway.child.kill('SIGTERM');
  await once(gateway.child, 'exit');
  const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error(`no profile written in ${profileDir}`);
  console.log(`profile: ${join(profileDir, file)} (open in Chrome DevTools)`);
  summarize(
    JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile,
    result.requests.total,
  );
} finally {
  upstreamChild.kill('SIGTERM');
  fixture.server.close();
}

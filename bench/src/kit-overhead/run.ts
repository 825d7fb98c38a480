// Kit overhead: GET /hello through createService (logging, metrics, tracing exporting to a
// discarding exporter; the real preload without an OTLP endpoint; no tracing at all) against
// bare Express, same machine, same run. Each server runs in its own child process so it does not
// share an event loop with the load generator (autocannon, in this process).
//   npm run --workspace @shoal/bench kit-overhead          (KIT_BENCH_SECONDS=10 by default)
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const SECONDS = Number(process.env['KIT_BENCH_SECONDS'] ?? 10);
const WARMUP_SECONDS = Math.max(1, Math.round(SECONDS / 3));
const CONNECTIONS = Number(process.env['KIT_BENCH_CONNECTIONS'] ?? 32);

interface Variant {
  name: string;
  nodeArgs: string[];
  file: string;
  /** Added to the child's environment. */
  env?: Record<string, string>;
}

interface Measurement {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  /** Server CPU time (user + system) per request during the measured run, in µs. */
  cpuPerRequestUs: number;
  non2xx: number;
  errors: number;
}

const VARIANTS: Variant[] = [
  { name: 'bare express', nodeArgs: [], file: 'bare-server.ts' },
  {
    name: 'kit createService',
    nodeArgs: ['--import', './tracing-preload.ts'],
    file: 'kit-server.ts',
  },
  // The same with the SDK's standard head sampling keeping 1 trace in 10 (what a busy
  // service would set through its environment).
  {
    name: 'kit, 10% sampled',
    nodeArgs: ['--import', './tracing-preload.ts'],
    file: 'kit-server.ts',
    env: { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' },
  },
  // What services run with when no collector is configured: the real preload, no endpoint.
  {
    name: 'kit, no otlp endpoint',
    nodeArgs: ['--import', '@shoal/kit/telemetry/register'],
    file: 'kit-server.ts',
    env: { SERVICE_NAME: 'bench', OTEL_EXPORTER_OTLP_ENDPOINT: '' },
  },
  // The same service without the OpenTelemetry preload: splits the kit's own cost from tracing's.
  { name: 'kit, tracing off', nodeArgs: [], file: 'kit-server.ts' },
];

/** Starts a server child and resolves with it and its port (from its first stdout line). */
async function startServer(variant: Variant): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [...variant.nodeArgs, variant.file], {
    cwd: HERE,
    env: { ...process.env, ...variant.env },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  // With an ipc channel in stdio, the typings no longer know stdout is a pipe; it is.
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const [first] = (await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(() => {
      throw new Error(`${variant.name} server exited before listening`);
    }),
  ])) as [string];
  return { child, port: (JSON.parse(first) as { port: number }).port };
}

/** Runs autocannon against the URL for `seconds`. */
function load(url: string, seconds: number): Promise<autocannon.Result> {
  return autocannon({ url, connections: CONNECTIONS, duration: seconds, pipelining: 1 });
}

/** The server child's CPU time so far (asked over IPC). */
async function cpuUsage(child: ChildProcess): Promise<NodeJS.CpuUsage> {
  const reply = once(child, 'message') as Promise<[NodeJS.CpuUsage]>;
  child.send('cpu');
  return (await reply)[0];
}

/** Warm-up (JIT, pools), then the measured run. */
async function measure(variant: Variant): Promise<Measurement> {
  const { child, port } = await startServer(variant);
  try {
    const url = `http://127.0.0.1:${port}/hello`;
    await load(url, WARMUP_SECONDS);
    const cpuBefore = await cpuUsage(child);
    const result = await load(url, SECONDS);
    const cpuAfter = await cpuUsage(child);
    const cpuUs = cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system;
    return {
      name: variant.name,
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
      cpuPerRequestUs: cpuUs / Math.max(1, result.requests.total),
      non2xx: result.non2xx,
      errors: result.errors,
    };
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

const results: Measurement[] = [];
for (const variant of VARIANTS) {
  process.stderr.write(
    `measuring ${variant.name}: ${WARMUP_SECONDS}s warm-up + ${SECONDS}s, ${CONNECTIONS} connections\n`,
  );
  results.push(await measure(variant));
}

const bare = results[0]!;
console.log('variant                  rps        p50 ms  p99 ms  cpu µs/req  non-2xx  errors');
for (const row of results) {
  console.log(
    `${row.name.padEnd(24)} ${row.rps.toFixed(0).padStart(9)}  ${String(row.p50).padStart(6)}  ${String(row.p99).padStart(6)}  ${row.cpuPerRequestUs.toFixed(0).padStart(10)}  ${String(row.non2xx).padStart(7)}  ${String(row.errors).padStart(6)}`,
  );
}
for (const row of results.slice(1)) {
  console.log(
    `${row.name} / bare: rps ${(row.rps / bare.rps).toFixed(2)}x, p50 ${(row.p50 / Math.max(bare.p50, 1)).toFixed(2)}x, p99 ${(row.p99 / Math.max(bare.p99, 1)).toFixed(2)}x, cpu/request ${(row.cpuPerRequestUs / bare.cpuPerRequestUs).toFixed(2)}x`,
  );
}
if (results.some((row) => row.non2xx + row.errors > 0)) {
  console.error('some requests failed: the numbers above are not comparable');
  process.exitCode = 1;
}

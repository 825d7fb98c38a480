// Kit overhead: GET /hello through createService (logging, metrics, tracing on) against bare
// Express, same machine, same run. Each server runs in its own child process so it does not
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
}

interface Measurement {
  name: string;
  rps: number;
  p50: number;
  p99: number;
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
];

/** Starts a server child and resolves with it and its port (from its first stdout line). */
async function startServer(variant: Variant): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [...variant.nodeArgs, variant.file], {
    cwd: HERE,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
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

/** Warm-up (JIT, pools), then the measured run. */
async function measure(variant: Variant): Promise<Measurement> {
  const { child, port } = await startServer(variant);
  try {
    const url = `http://127.0.0.1:${port}/hello`;
    await load(url, WARMUP_SECONDS);
    const result = await load(url, SECONDS);
    return {
      name: variant.name,
      rps: result.requests.average,
      p50: result.latency.p50,
      p99: result.latency.p99,
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

const [bare, kit] = results as [Measurement, Measurement];
console.log('variant              rps        p50 ms  p99 ms  non-2xx  errors');
for (const row of results) {
  console.log(
    `${row.name.padEnd(20)} ${row.rps.toFixed(0).padStart(9)}  ${String(row.p50).padStart(6)}  ${String(row.p99).padStart(6)}  ${String(row.non2xx).padStart(7)}  ${String(row.errors).padStart(6)}`,
  );
}
console.log(
  `kit / bare: rps ${(kit.rps / bare.rps).toFixed(2)}x, p50 ${(kit.p50 / Math.max(bare.p50, 1)).toFixed(2)}x, p99 ${(kit.p99 / Math.max(bare.p99, 1)).toFixed(2)}x`,
);
if (bare.non2xx + bare.errors + kit.non2xx + kit.errors > 0) {
  console.error('some requests failed: the numbers above are not comparable');
  process.exitCode = 1;
}

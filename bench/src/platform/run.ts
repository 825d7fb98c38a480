// Soak benchmark (issue 10): the whole platform (every service and the gateway as child
// processes against the testbed's data stores) under a mixed workload at a fixed rate for
// minutes. Prints per-route count, error rate, p50/p99, every process's RSS start/end and
// its trend over the second half, and a verdict line. A benchmark, not a test: no assertion.
//
//   npm run --workspace @shoal/bench soak -- --rate 40 --duration 120
//   SOAK_RATE=40 SOAK_DURATION_S=120 make soak
import { parseArgs } from 'node:util';
import { WEBHOOK_SOURCE, SERVICE_NAMES, startPlatform } from '@shoal/e2e';
import type { ComponentName, Platform } from '@shoal/e2e';
import { runAtFixedRate } from './fixed-rate.ts';
import { LatencyRecorder } from './latency-recorder.ts';
import { MemorySampler } from './memory-sampler.ts';
import type { WatchedProcess } from './memory-sampler.ts';
import { SoakWorkload, routeFor } from './workload.ts';

const POOL_SIZE = 20;
const SAMPLE_INTERVAL_MS = 5_000;
/** Above this error rate or RSS slope (MB/min, any process) the verdict says so. */
const MAX_ERROR_RATE = 0.001;
const MAX_SLOPE_MB_PER_MIN = 1;

/** A positive number from a flag or env var, or a one-line error and exit 2. */
function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`soak: ${name} must be a positive number, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

function settings(): { rate: number; durationS: number } {
  let values: { rate?: string | undefined; duration?: string | undefined };
  try {
    ({ values } = parseArgs({
      options: { rate: { type: 'string' }, duration: { type: 'string' } },
    }));
  } catch (error) {
    console.error(`soak: ${(error as Error).message} (flags: --rate <req/s> --duration <s>)`);
    process.exit(2);
  }
  return {
    rate: positive('--rate / SOAK_RATE', values.rate ?? process.env['SOAK_RATE'], 50),
    durationS: positive(
      '--duration / SOAK_DURATION_S',
      values.duration ?? process.env['SOAK_DURATION_S'],
      180,
    ),
  };
}

function watchedProcesses(platform: Platform): WatchedProcess[] {
  const components: ComponentName[] = [
    ...SERVICE_NAMES.filter((name) => platform.has(name)),
    'gateway',
  ];
  return components.flatMap((name) =>
    platform
      .instances(name)
      .flatMap((instance, i) =>
        instance.pid === undefined ? [] : [{ name: `${name}#${i}`, pid: instance.pid }],
      ),
  );
}

const fixed = (value: number, digits = 1) => (Number.isNaN(value) ? 'n/a' : value.toFixed(digits));

async function main(): Promise<void> {
  const { rate, durationS } = settings();
  console.log(`soak: starting the platform (rate ${rate} req/s for ${durationS} s)`);
  // No gateway rate limits: every request comes from one address, and the soak measures the
  // platform, not the limiter.
  const platform = await startPlatform({ kind: 'soak', rateLimits: false, logLevel: 'warn' });
  try {
    const secret = platform.secrets.webhookSecrets[WEBHOOK_SOURCE];
    if (secret === undefined) throw new Error(`no webhook secret for source ${WEBHOOK_SOURCE}`);
    const workload = new SoakWorkload(platform.gatewayUrl, WEBHOOK_SOURCE, secret);
    await workload.registerPool(POOL_SIZE);
    console.log(`soak: ${POOL_SIZE} users registered; load running`);

    const recorder = new LatencyRecorder();
    const sampler = new MemorySampler(watchedProcesses(platform), SAMPLE_INTERVAL_MS);
    const { sent, maxLagMs } = await runAtFixedRate(rate, durationS * 1000, async (index) => {
      const route = routeFor(index);
      const started = performance.now();
      try {
        const result = await workload.run(route, index);
        if (result.conflict) return recorder.recordConflict(route, performance.now() - started);
        recorder.record(route, performance.now() - started, result.ok ? undefined : result.detail);
      } catch (error) {
        recorder.record(route, performance.now() - started, (error as Error).message);
      }
    });
    const memory = sampler.stop();
    const routes = recorder.summaries();

    console.log(
      `\nsoak: ${sent} requests at ${rate} req/s over ${durationS} s (open model; generator max lag ${fixed(maxLagMs, 0)} ms)`,
    );
    console.table(
      routes.map((r) => ({
        route: r.route,
        count: r.count,
        errors: r.errors,
        '409 conflicts': r.conflicts,
        'error %': fixed(r.errorRate * 100, 2),
        'p50 ms': fixed(r.p50Ms),
        'p99 ms': fixed(r.p99Ms),
      })),
    );
    for (const [route, samples] of recorder.samples)
      console.log(`errors of ${route}: ${samples.join(' | ')}`);
    console.table(
      memory.map((m) => ({
        process: m.name,
        'rss start MB': fixed(m.startMb),
        'rss end MB': fixed(m.endMb),
        'rss peak MB': fixed(m.peakMb),
        'slope MB/min (2nd half)': fixed(m.slopeMbPerMin, 2),
      })),
    );
    const errors = routes.reduce((sum, r) => sum + r.errors, 0);
    const count = routes.reduce((sum, r) => sum + r.count, 0);
    const errorRate = count === 0 ? 0 : errors / count;
    const worst = memory.reduce(
      (max, m) =>
        Number.isNaN(m.slopeMbPerMin) || m.slopeMbPerMin <= max.slope
          ? max
          : { name: m.name, slope: m.slopeMbPerMin },
      { name: 'none', slope: Number.NEGATIVE_INFINITY },
    );
    const healthy = errorRate <= MAX_ERROR_RATE && worst.slope <= MAX_SLOPE_MB_PER_MIN;
    console.log(
      `verdict: ${healthy ? 'OK' : 'ATTENTION'}: error rate ${fixed(errorRate * 100, 3)}% (limit ${MAX_ERROR_RATE * 100}%), ` +
        `worst RSS slope ${fixed(worst.slope, 2)} MB/min (${worst.name}; limit ${MAX_SLOPE_MB_PER_MIN})`,
    );
  } finally {
    await platform.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`soak: ${(error as Error).message}`);
  process.exit(1);
});

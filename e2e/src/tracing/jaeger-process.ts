// A private Jaeger for one test run: the binary testbed/tracing/tracing.sh builds, on free
// loopback ports, with its own in-memory store, so a run's assertions see only its traces and
// never disturb the Jaeger a developer's `make dev` uses.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { findRepoRoot } from '@shoal/testbed';
import { freePort } from '../platform/free-port.ts';

/** A span as Jaeger's query API (`/api/traces/{id}`) returns it. */
export interface JaegerSpan {
  readonly traceID: string;
  readonly spanID: string;
  readonly operationName: string;
  readonly processID: string;
  readonly references?: readonly { refType: string; traceID: string; spanID: string }[];
  readonly tags: readonly { key: string; value: unknown }[];
}

/** A trace with each span's service name resolved. */
export interface JaegerTrace {
  readonly traceID: string;
  readonly spans: readonly (JaegerSpan & { serviceName: string })[];
}

/** A running private Jaeger. */
export interface JaegerProcess {
  /** Where services export (OTEL_EXPORTER_OTLP_ENDPOINT). */
  readonly otlpEndpoint: string;
  /** The query API and UI. */
  readonly queryUrl: string;
  /** The trace with this id, or undefined while Jaeger has none of its spans. */
  trace(traceId: string): Promise<JaegerTrace | undefined>;
  /** Polls until the trace satisfies `done` (e.g. spans from five services), bounded. */
  waitForTrace(
    traceId: string,
    done: (trace: JaegerTrace) => boolean,
    timeoutMs?: number,
  ): Promise<JaegerTrace>;
  stop(): Promise<void>;
}

const run = promisify(execFile);

/** Builds Jaeger when the cache lacks it (minutes, once) and returns the binary's path. */
export async function ensureJaegerBinary(repoRoot = findRepoRoot()): Promise<string> {
  const script = join(repoRoot, 'testbed', 'tracing', 'tracing.sh');
  // Idempotent: returns at once when the pinned version is already in the cache.
  await run(script, ['build'], { maxBuffer: 16 * 1024 * 1024 });
  const goMod = readFileSync(join(repoRoot, 'testbed', 'tracing', 'jaeger', 'go.mod'), 'utf8');
  const version = /^require github\.com\/jaegertracing\/jaeger (v\S+)$/m.exec(goMod)?.[1];
  if (version === undefined) throw new Error('no Jaeger version in testbed/tracing/jaeger/go.mod');
  const cache =
    process.env['SHOAL_CACHE'] ?? join(process.env['HOME'] ?? '/root', '.cache', 'shoal');
  return join(cache, 'jaeger', version, 'jaeger');
}

interface RawTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string }>;
}

/** Starts a private Jaeger and waits until its query API answers. */
export async function startJaeger(): Promise<JaegerProcess> {
  const repoRoot = findRepoRoot();
  const binary = await ensureJaegerBinary(repoRoot);
  const [otlp, query, grpc, health] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const logDir = join(repoRoot, '.testbed', 'platform');
  mkdirSync(logDir, { recursive: true });
  const log = openSync(join(logDir, `jaeger-${query}.log`), 'a');
  let child: ChildProcess;
  try {
    child = spawn(binary, ['--config', join(repoRoot, 'testbed', 'tracing', 'jaeger.yaml')], {
      env: {
        PATH: process.env['PATH'] ?? '/usr/bin:/bin',
        SHOAL_OTLP_PORT: String(otlp),
        SHOAL_JAEGER_QUERY_PORT: String(query),
        SHOAL_JAEGER_GRPC_PORT: String(grpc),
        SHOAL_JAEGER_HEALTH_PORT: String(health),
      },
      stdio: ['ignore', log, log],
    });
  } finally {
    closeSync(log);
  }
  const exited = once(child, 'exit');
  const queryUrl = `http://127.0.0.1:${query}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(`${queryUrl}/api/services`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`jaeger did not start (log: .testbed/platform/jaeger-${query}.log)`);
    }
    await sleep(100);
  }

  const trace = async (traceId: string): Promise<JaegerTrace | undefined> => {
    const response = await fetch(`${queryUrl}/api/traces/${traceId}`);
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`jaeger /api/traces/${traceId}: ${response.status}`);
    const body = (await response.json()) as { data: RawTrace[] | null };
    const raw = body.data?.[0];
    if (raw === undefined) return undefined;
    return {
      traceID: raw.traceID,
      spans: raw.spans.map((span) => ({
        ...span,
        serviceName: raw.processes[span.processID]?.serviceName ?? '?',
      })),
    };
  };

  return {
    otlpEndpoint: `http://127.0.0.1:${otlp}`,
    queryUrl,
    trace,
    async waitForTrace(traceId, done, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      let last: JaegerTrace | undefined;
      for (;;) {
        last = await trace(traceId);
        if (last !== undefined && done(last)) return last;
        if (Date.now() > until) {
          const seen = last?.spans.map((s) => `${s.serviceName}:${s.operationName}`) ?? [];
          throw new Error(
            `trace ${traceId} incomplete after ${timeoutMs} ms; spans: ${seen.join(', ') || 'none'}`,
          );
        }
        await sleep(250);
      }
    },
    stop,
  };
}

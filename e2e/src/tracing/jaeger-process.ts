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
import { jaegerQuery } from './jaeger-query.ts';
import type { TraceReader } from './jaeger-query.ts';
import { freePort } from '../platform/free-port.ts';

export type { JaegerSpan, JaegerTrace, TraceReader } from './jaeger-query.ts';

/** A running private Jaeger: its query API (queryUrl, trace, waitForTrace) and its OTLP intake. */
export interface JaegerProcess extends TraceReader {
  /** Where services export (OTEL_EXPORTER_OTLP_ENDPOINT). */
  readonly otlpEndpoint: string;
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

  return { ...jaegerQuery(queryUrl), otlpEndpoint: `http://127.0.0.1:${otlp}`, stop };
}

import type { Server } from 'node:http';
import type { RequestHandler } from 'express';
import type { Health } from '../health/health.ts';
import type { Logger } from '../logger/logger.ts';
import { shutdownTelemetry } from '../telemetry/shutdown-hook.ts';
import { settlesWithin, sleep } from './deadline.ts';
import type { Closer, Worker } from './worker.ts';

/** Pools and telemetry still get this long even when draining used up the whole bound. */
const CLEANUP_GRACE_MS = 2000;
/** How often idle keep-alive sockets are reaped while draining. */
const IDLE_SWEEP_MS = 100;

/** Timing of a graceful shutdown (from the base config). */
export interface ShutdownTiming {
  /** Keep serving (readyz 503) this long so load balancers stop routing here first. */
  delayMs: number;
  /** Bound on draining in-flight requests and stopping workers, after the delay. */
  timeoutMs: number;
}

/** How a shutdown went: `exitCode` 0 when everything finished within the bound, else 1. */
export interface ShutdownOutcome {
  exitCode: 0 | 1;
}

/**
 * Owns the orderly end of a service: mark not ready, wait, stop accepting, drain
 * in-flight requests and workers within a bound, close pools, flush telemetry.
 */
export class Lifecycle {
  readonly #logger: Logger;
  readonly #health: Health;
  readonly #timing: ShutdownTiming;
  readonly #workers: Worker[] = [];
  readonly #closers: Closer[] = [];
  #server: Server | undefined;
  #shutdown: Promise<ShutdownOutcome> | undefined;
  #signalHandler: ((signal: NodeJS.Signals) => void) | undefined;

  constructor(options: { logger: Logger; health: Health; timing: ShutdownTiming }) {
    this.#logger = options.logger;
    this.#health = options.health;
    this.#timing = options.timing;
  }

  /** Registers a worker; it is started by startWorkers() and stopped on shutdown. */
  manage(worker: Worker): void {
    this.#workers.push(worker);
  }

  /** Registers a resource to release after workers stop (closed in reverse order). */
  onClose(closer: Closer): void {
    this.#closers.push(closer);
  }

  /** The server whose connections shutdown drains. */
  attach(server: Server): void {
    this.#server = server;
  }

  /** Starts every managed worker (after the server listens). */
  startWorkers(): void {
    for (const worker of this.#workers) worker.start();
  }

  /** While draining, responses say `Connection: close` so keep-alive clients reconnect elsewhere. */
  drainingMiddleware(): RequestHandler {
    return (_req, res, next) => {
      if (this.#health.draining) res.setHeader('Connection', 'close');
      next();
    };
  }

  /**
   * Runs the shutdown once (later calls get the same outcome). `delayMs` overrides the
   * configured delay (a programmatic stop in tests has no endpoints to wait for).
   */
  shutdown(options: { delayMs?: number } = {}): Promise<ShutdownOutcome> {
    this.#shutdown ??= this.#runShutdown(options.delayMs ?? this.#timing.delayMs);
    return this.#shutdown;
  }

  /**
   * On the first SIGTERM/SIGINT, shuts down and exits with the outcome's code; a second
   * signal exits 1 at once (an operator insisting).
   */
  handleSignals(exit: (code: number) => void = (code) => process.exit(code)): void {
    if (this.#signalHandler) return;
    this.#signalHandler = (signal) => {
      if (this.#shutdown) {
        this.#logger.warn('second signal during shutdown, exiting now', { signal });
        exit(1);
        return;
      }
      this.#logger.info('shutdown requested', { signal });
      void this.shutdown().then((outcome) => exit(outcome.exitCode));
    };
    process.on('SIGTERM', this.#signalHandler);
    process.on('SIGINT', this.#signalHandler);
  }

  /** Removes the signal handlers (tests that create several services in one process). */
  releaseSignals(): void {
    if (!this.#signalHandler) return;
    process.off('SIGTERM', this.#signalHandler);
    process.off('SIGINT', this.#signalHandler);
    this.#signalHandler = undefined;
  }

  async #runShutdown(delayMs: number): Promise<ShutdownOutcome> {
    this.#health.markDraining();
    if (delayMs > 0) {
      this.#logger.info('draining: not ready, still serving', { delay_ms: delayMs });
      await sleep(delayMs);
    }
    const drained = await settlesWithin(
      Promise.all([this.#closeServer(), this.#stopWorkers()]),
      this.#timing.timeoutMs,
    );
    if (!drained) {
      this.#logger.error('shutdown bound exceeded: dropping what is still in flight', {
        timeout_ms: this.#timing.timeoutMs,
      });
      this.#server?.closeAllConnections();
    }
    await settlesWithin(this.#runClosers(), CLEANUP_GRACE_MS);
    this.#logger.info('shutdown complete', { exit_code: drained ? 0 : 1 });
    await settlesWithin(shutdownTelemetry(), CLEANUP_GRACE_MS);
    return { exitCode: drained ? 0 : 1 };
  }

  /** Stops accepting connections and resolves when every open one has ended. */
  async #closeServer(): Promise<void> {
    const server = this.#server;
    if (!server?.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    this.#logger.info('stopped accepting connections; draining in-flight requests');
    // Connections that go idle after close() (keep-alive between requests) are reaped too.
    const sweeper = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    server.closeIdleConnections();
    try {
      await closed;
    } finally {
      clearInterval(sweeper);
    }
  }

  async #stopWorkers(): Promise<void> {
    const results = await Promise.allSettled(this.#workers.map((worker) => worker.stop()));
    for (const result of results) {
      if (result.status === 'rejected')
        this.#logger.error('worker failed to stop', { error: String(result.reason) });
    }
  }

  async #runClosers(): Promise<void> {
    for (const closer of [...this.#closers].reverse()) {
      try {
        await closer();
      } catch (error) {
        this.#logger.error('closing a resource failed', { error: String(error) });
      }
    }
  }
}

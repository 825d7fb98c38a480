import type { RequestHandler } from 'express';

/** A readiness check: resolves when the dependency is reachable, throws when it is not. */
export type HealthCheck = () => Promise<void>;

/** One check's outcome in the /readyz body. */
export interface CheckResult {
  status: 'ok' | 'failed';
  duration_ms: number;
  error?: string;
}

/** The /readyz body. */
export interface ReadinessReport {
  status: 'ready' | 'not ready' | 'draining';
  checks: Record<string, CheckResult>;
}

/** Runs `check`, failing it when it takes longer than `timeoutMs`. */
async function runCheck(check: HealthCheck, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check(), timeout]);
    return { status: 'ok', duration_ms: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      status: 'failed',
      duration_ms: Math.round(performance.now() - started),
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The service's health: named readiness checks (each bounded by a timeout) and the
 * draining flag the lifecycle raises on shutdown.
 */
export class Health {
  readonly #checks = new Map<string, HealthCheck>();
  readonly #timeoutMs: number;
  #draining = false;

  constructor(options: { checkTimeoutMs?: number } = {}) {
    this.#timeoutMs = options.checkTimeoutMs ?? 2000;
  }

  /** Registers a dependency check for /readyz; names must be unique. */
  addCheck(name: string, check: HealthCheck): this {
    if (this.#checks.has(name)) throw new Error(`health: a check named "${name}" already exists`);
    this.#checks.set(name, check);
    return this;
  }

  /** From now on /readyz answers 503, so the load balancer stops sending traffic. */
  markDraining(): void {
    this.#draining = true;
  }

  /** Whether shutdown has begun. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Runs every check concurrently and reports; not ready when draining or any check fails. */
  async readiness(): Promise<ReadinessReport> {
    // Draining is final: no need to probe dependencies that are about to be closed.
    if (this.#draining) return { status: 'draining', checks: {} };
    const names = [...this.#checks.keys()];
    const results = await Promise.all(
      [...this.#checks.values()].map((check) => runCheck(check, this.#timeoutMs)),
    );
    const checks = Object.fromEntries(names.map((name, index) => [name, results[index]!]));
    const failed = results.some((result) => result.status === 'failed');
    return { status: failed ? 'not ready' : 'ready', checks };
  }

  /** `GET /livez`: 200 as long as the process can answer. */
  livenessHandler(): RequestHandler {
    return (_req, res) => {
      res.set('Cache-Control', 'no-store').json({ status: 'alive' });
    };
  }

  /** `GET /readyz`: 200 with per-check status, 503 when draining or any check fails. */
  readinessHandler(): RequestHandler {
    return async (_req, res) => {
      const report = await this.readiness();
      res
        .status(report.status === 'ready' ? 200 : 503)
        .set('Cache-Control', 'no-store')
        .json(report);
    };
  }
}

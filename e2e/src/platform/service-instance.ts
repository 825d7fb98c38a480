// One running copy of a component (a service or the gateway): a child process started the way
// the Dockerfile starts it (`node --import @shoal/kit/telemetry/register src/main.ts`), its
// output appended to a log file, its readiness watched the way a kubelet probe would.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Endpoint } from './endpoint-balancer.ts';

/** Where an instance is in its life. */
export type InstanceState = 'stopped' | 'starting' | 'ready' | 'not-ready' | 'stopping';

/** How to run one instance. */
export interface InstanceSpec {
  /** `user-1`, `gateway-2`: names the log file and the balancer endpoint. */
  readonly id: string;
  /** `user`, `gateway`. */
  readonly component: string;
  /** The entry file (`services/user/src/main.ts`). */
  readonly main: string;
  /** The complete environment of the child (nothing is inherited beyond it). */
  readonly env: Readonly<Record<string, string>>;
  /** A directory without a `.env`, so a developer's dotenv never leaks into the child. */
  readonly cwd: string;
  readonly logFile: string;
  /** The port its traffic goes to (the balancer forwards here). */
  readonly port: number;
  /** Its readiness probe (for the gateway on the admin port). */
  readonly readyUrl: string;
  /**
   * Its own process group, so a terminal's Ctrl-C reaches only the launcher, which then stops
   * the instances in order (`make dev`); otherwise Ctrl-C of a test run ends them too.
   */
  readonly detached?: boolean;
  /** Told about every exit; `expected` is false when nobody asked it to stop (a crash). */
  readonly onExit?: (instance: ServiceInstance, exit: InstanceExit, expected: boolean) => void;
}

/** How an instance's process ended. */
export interface InstanceExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const PROBE_INTERVAL_MS = 500;
const PROBE_TIMEOUT_MS = 2000;
const DEFAULT_READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const REGISTER = import.meta.resolve('@shoal/kit/telemetry/register');

/** A running (or stopped) copy of a component; also the balancer's endpoint for it. */
export class ServiceInstance implements Endpoint {
  readonly spec: InstanceSpec;
  #child: ChildProcess | undefined;
  #exited: Promise<InstanceExit> | undefined;
  #state: InstanceState = 'stopped';
  #prober: NodeJS.Timeout | undefined;
  #probing = false;

  constructor(spec: InstanceSpec) {
    this.spec = spec;
  }

  get id(): string {
    return this.spec.id;
  }
  get component(): string {
    return this.spec.component;
  }
  get port(): number {
    return this.spec.port;
  }
  /** The instance's own address, bypassing the balancer (the security suite calls it directly). */
  get url(): string {
    return `http://127.0.0.1:${this.spec.port}`;
  }
  get logFile(): string {
    return this.spec.logFile;
  }
  /** The pid of the running process, if any. */
  get pid(): number | undefined {
    return this.#child?.exitCode === null ? this.#child.pid : undefined;
  }
  state(): InstanceState {
    return this.#state;
  }
  inRotation(): boolean {
    return this.#state === 'ready';
  }
  isRunning(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && !this.#child.signalCode;
  }

  /** Starts the process and resolves once its /readyz answers 200 (throws with the log tail if it dies first). */
  async start(readyTimeoutMs = DEFAULT_READY_TIMEOUT_MS): Promise<void> {
    if (this.isRunning()) throw new Error(`${this.id} is already running`);
    this.#appendToLog(`=== ${new Date().toISOString()} starting ${this.id}\n`);
    const log = openSync(this.spec.logFile, 'a');
    try {
      this.#child = spawn(
        process.execPath,
        ['--conditions=shoal-source', '--import', REGISTER, this.spec.main],
        {
          cwd: this.spec.cwd,
          env: { ...this.spec.env },
          stdio: ['ignore', log, log],
          detached: this.spec.detached ?? false,
        },
      );
    } finally {
      closeSync(log);
    }
    const child = this.#child;
    this.#state = 'starting';
    this.#exited = once(child, 'exit').then(([code, signal]) => {
      const expected = this.#state === 'stopping';
      this.#state = 'stopped';
      clearInterval(this.#prober);
      this.#appendToLog(`=== ${new Date().toISOString()} ${this.id} exited (${code ?? signal})\n`);
      const exit = { code: code as number | null, signal: signal as NodeJS.Signals | null };
      this.spec.onExit?.(this, exit, expected);
      return exit;
    });
    await this.waitReady(readyTimeoutMs);
    this.#prober = setInterval(() => void this.#refreshReadiness(), PROBE_INTERVAL_MS).unref();
  }

  /** Resolves when /readyz answers 200; throws when the process exits or the time is up. */
  async waitReady(timeoutMs = DEFAULT_READY_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.isRunning()) {
        throw new Error(`${this.id} exited before it was ready:\n${this.logTail()}`);
      }
      if (await this.#probe()) {
        if (this.#state === 'starting' || this.#state === 'not-ready') this.#state = 'ready';
        return;
      }
      await sleep(100);
    }
    throw new Error(`${this.id} was not ready within ${timeoutMs} ms:\n${this.logTail()}`);
  }

  /**
   * The orderly stop a rolling update does: out of rotation first, then SIGTERM (the kit
   * marks itself not ready, drains and exits), bounded by a SIGKILL. Returns how it ended.
   */
  async stop(): Promise<InstanceExit | undefined> {
    if (!this.isRunning() || this.#exited === undefined) return undefined;
    this.#state = 'stopping';
    this.#child?.kill('SIGTERM');
    const exited = this.#exited;
    const timer = setTimeout(() => this.#child?.kill('SIGKILL'), STOP_TIMEOUT_MS);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends `signal` right away (default SIGKILL: no drain, no goodbye) and waits for the exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<InstanceExit | undefined> {
    if (!this.isRunning() || this.#exited === undefined) return undefined;
    if (signal === 'SIGKILL' || signal === 'SIGTERM') this.#state = 'stopping';
    this.#child?.kill(signal);
    return this.#exited;
  }

  /** stop() then start(): one step of a rolling restart. */
  async restart(readyTimeoutMs = DEFAULT_READY_TIMEOUT_MS): Promise<void> {
    await this.stop();
    await this.start(readyTimeoutMs);
  }

  /** Resolves when the current process exits (at once when none runs). */
  async exited(): Promise<InstanceExit | undefined> {
    return this.isRunning() ? this.#exited : undefined;
  }

  /** The last `lines` lines of the log file, for error messages. */
  logTail(lines = 30): string {
    try {
      return readFileSync(this.spec.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  async #probe(): Promise<boolean> {
    try {
      const response = await fetch(this.spec.readyUrl, {
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
      await response.arrayBuffer();
      return response.status === 200;
    } catch {
      return false;
    }
  }

  /** Like a kubelet readiness probe: a not-ready instance leaves rotation until it recovers. */
  async #refreshReadiness(): Promise<void> {
    if (this.#probing || (this.#state !== 'ready' && this.#state !== 'not-ready')) return;
    this.#probing = true;
    try {
      const ready = await this.#probe();
      if (this.#state === 'ready' || this.#state === 'not-ready') {
        this.#state = ready ? 'ready' : 'not-ready';
      }
    } finally {
      this.#probing = false;
    }
  }

  #appendToLog(line: string): void {
    const fd = openSync(this.spec.logFile, 'a');
    try {
      writeSync(fd, line);
    } finally {
      closeSync(fd);
    }
  }
}

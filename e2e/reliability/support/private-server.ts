// A data server of the reliability suite's own (PostgreSQL, Redis, FerretDB), started from the
// same binaries testbed/deps.sh uses but on a free port with its data under the run's
// directory: the suite stops and restarts it at will without disturbing anyone's tests.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** How to run one server. */
export interface ServerSpec {
  readonly name: string;
  readonly port: number;
  /** The command and its arguments (the server must not daemonize). */
  readonly command: readonly string[];
  readonly logFile: string;
  /** The signal of an orderly stop (PostgreSQL: SIGINT, "fast" shutdown). */
  readonly stopSignal: NodeJS.Signals;
  /** Resolves when the server answers a real request; rejects otherwise. */
  readonly probe: () => Promise<void>;
  /** Extra environment. */
  readonly env?: Record<string, string>;
}

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

/** One private server process that can be stopped and started again on the same port and data. */
export class PrivateServer {
  readonly spec: ServerSpec;
  #child: ChildProcess | undefined;
  #exited: Promise<unknown> | undefined;

  constructor(spec: ServerSpec) {
    this.spec = spec;
  }

  get port(): number {
    return this.spec.port;
  }

  isRunning(): boolean {
    return (
      this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null
    );
  }

  /** Starts the process and resolves once it answers its probe. */
  async start(): Promise<void> {
    if (this.isRunning()) return;
    this.#log(`=== ${new Date().toISOString()} starting ${this.spec.command.join(' ')}\n`);
    const log = openSync(this.spec.logFile, 'a');
    try {
      const [command, ...args] = this.spec.command;
      // Its own process group: a Ctrl-C of the test run reaches us, and we stop it in order.
      this.#child = spawn(command as string, args, {
        stdio: ['ignore', log, log],
        detached: true,
        env: { ...process.env, ...this.spec.env },
      });
    } finally {
      closeSync(log);
    }
    this.#exited = once(this.#child, 'exit');
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (!this.isRunning())
        throw new Error(`${this.spec.name} exited during start:\n${this.logTail()}`);
      try {
        await this.spec.probe();
        return;
      } catch {
        if (Date.now() > deadline) {
          await this.stop();
          throw new Error(
            `${this.spec.name} did not answer within ${START_TIMEOUT_MS} ms:\n${this.logTail()}`,
          );
        }
        await sleep(200);
      }
    }
  }

  /** The orderly stop (then SIGKILL to its group after a bound); resolves once it has exited. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child === undefined || !this.isRunning()) return;
    const pid = child.pid as number;
    process.kill(-pid, this.spec.stopSignal);
    const timer = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, STOP_TIMEOUT_MS);
    await this.#exited;
    clearTimeout(timer);
    // Helpers left in its group (PostgreSQL backends) go with it.
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // none left
    }
  }

  /** stop() then start(): a restart on the same port and data. */
  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** The last lines of its log, for error messages. */
  logTail(lines = 20): string {
    try {
      return readFileSync(this.spec.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  #log(line: string): void {
    const fd = openSync(this.spec.logFile, 'a');
    try {
      writeSync(fd, line);
    } finally {
      closeSync(fd);
    }
  }
}

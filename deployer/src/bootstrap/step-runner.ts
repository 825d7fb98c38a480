// Runs `shoal up`'s steps one after another, timed and numbered (`up: [3/15] build
// shoal/auth:… done in 41s`). An external command's output (docker build, kind create, kind
// load: thousands of lines) goes to its own log file instead of the terminal; when it fails,
// the error names that log and the last lines of it are shown, which is where the reason is.
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { ExitCode } from '../errors/exit-codes.ts';
import { ShoalError } from '../errors/shoal-error.ts';
import { formatElapsed } from './elapsed.ts';
import { runTool } from './run-tool.ts';
import type { ToolResult } from './run-tool.ts';
import { commandLine } from './up-plan.ts';

/** What the runner needs of a step (up-plan's UpStep has it). */
export interface RunnableStep {
  /** `build shoal/auth:3f2a9c0b1d2e` */
  name: string;
  command: string[];
  /** The log file's name without `.log` (`build-auth`); absent for in-process steps. */
  log?: string;
}

/** How a step ended. */
export type StepStatus = 'done' | 'skipped' | 'failed';

/** One step as the summary (and `up -o json`'s `steps`) shows it. */
export interface StepRecord {
  /** 1-based position in the plan. */
  index: number;
  name: string;
  status: StepStatus;
  durationMs: number;
  /** Why it was skipped. */
  note?: string;
  /** The absolute path of its log, when it ran a command. */
  log?: string;
}

/** Options of StepRunner. */
export interface StepRunnerOptions {
  /** How many steps the plan has (the N of `[i/N]`). */
  total: number;
  /** Where the logs go (created on the first command). */
  logDirectory: string;
  /** Prints a progress line. */
  say: (line: string) => void;
  /** Prints a failed log's last lines (default: say). */
  print?: (line: string) => void;
  /** The environment and working directory of the commands. */
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Paths in progress lines are shown relative to this directory when inside it. */
  displayFrom?: string;
  signal?: AbortSignal;
  /** How many of a failed log's last lines to show. */
  tailLines?: number;
  now?: () => number;
}

/** Runs and times the steps; `records` is every step so far, in order. */
export class StepRunner {
  readonly records: StepRecord[] = [];
  readonly #options: StepRunnerOptions;
  readonly #now: () => number;
  readonly #started: number;

  constructor(options: StepRunnerOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => performance.now());
    this.#started = this.#now();
  }

  /** `[ 3/15]`: the step's place, padded so the names line up. */
  position(index: number): string {
    const width = String(this.#options.total).length;
    return `[${String(index).padStart(width)}/${this.#options.total}]`;
  }

  /** The absolute path of a step's log. */
  logPath(step: RunnableStep): string {
    return join(this.#options.logDirectory, `${step.log ?? 'step'}.log`);
  }

  /** Records a step that does not need to run, with why (one line, no timing worth showing). */
  skip(index: number, step: RunnableStep, why: string): StepRecord {
    const record: StepRecord = {
      index,
      name: step.name,
      status: 'skipped',
      durationMs: 0,
      note: why,
    };
    this.records.push(record);
    this.#options.say(`${this.position(index)} ${step.name} skipped: ${why}`);
    return record;
  }

  /**
   * Starts an in-process step (the deploy): prints its line and returns how to end it. The
   * caller decides the status, since only it knows what failing means there.
   */
  begin(index: number, step: RunnableStep, detail?: string): (status: StepStatus) => StepRecord {
    const start = this.#now();
    this.#options.say(`${this.position(index)} ${step.name}${detail ? ` (${detail})` : ''}`);
    return (status) => {
      const record: StepRecord = {
        index,
        name: step.name,
        status,
        durationMs: this.#now() - start,
      };
      if (step.log) record.log = this.logPath(step);
      this.records.push(record);
      this.#options.say(
        `${this.position(index)} ${step.name} ${status === 'failed' ? 'failed' : 'done'} in ${formatElapsed(record.durationMs)}`,
      );
      return record;
    };
  }

  /**
   * Runs the step's command with its output in its log. Throws a one-line ShoalError (exit 5)
   * naming the log when the command fails, after printing the log's last lines.
   */
  async command(index: number, step: RunnableStep): Promise<StepRecord> {
    const log = this.logPath(step);
    mkdirSync(this.#options.logDirectory, { recursive: true });
    const fd = openSync(log, 'w');
    const finish = this.begin(index, step, `log: ${this.#display(log)}`);
    let result: ToolResult;
    try {
      writeSync(fd, `$ ${commandLine(step.command)}\n`);
      const [program = '', ...args] = step.command;
      result = await runTool(program, args, {
        env: this.#options.env,
        cwd: this.#options.cwd,
        // Written as it comes: `tail -f` on the log follows a long build.
        onOutput: (text) => writeSync(fd, text),
        ...(this.#options.signal ? { signal: this.#options.signal } : {}),
      });
      writeSync(
        fd,
        result.missing ? `\n${program}: command not found\n` : `\n(exit ${result.code})\n`,
      );
    } finally {
      closeSync(fd);
    }
    if (this.#options.signal?.aborted) {
      finish('failed');
      throw new ShoalError('Interrupted.', ExitCode.Interrupted);
    }
    if (result.code === 0) return finish('done');
    const record = finish('failed');
    const print = this.#options.print ?? this.#options.say;
    for (const line of this.#tail(log)) print(`  | ${line}`);
    throw new ShoalError(
      `${this.position(index)} ${step.name} failed (exit ${result.code}) after ${formatElapsed(record.durationMs)}; its log: ${log} (its last lines are above)`,
      ExitCode.Tooling,
      { details: { step: record } },
    );
  }

  /** The summary: every step with its status and time, then the total. */
  summaryLines(): string[] {
    const width = Math.max(0, ...this.records.map((record) => record.name.length));
    return [
      `steps (total ${formatElapsed(this.#now() - this.#started)}):`,
      ...this.records.map((record) =>
        `  ${this.position(record.index)} ${record.name.padEnd(width)}  ${record.status.padEnd(7)} ${record.status === 'skipped' ? '' : formatElapsed(record.durationMs)}`.trimEnd(),
      ),
    ];
  }

  #tail(log: string): string[] {
    const lines = readFileSync(log, 'utf8').replace(/\s+$/, '').split('\n');
    return lines.slice(-(this.#options.tailLines ?? 20));
  }

  #display(path: string): string {
    const base = this.#options.displayFrom;
    if (!base) return path;
    const shown = relative(base, path);
    return shown.startsWith('..') || isAbsolute(shown) ? path : shown;
  }
}

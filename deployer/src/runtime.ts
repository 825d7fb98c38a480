// What every verb gets from the CLI: the global options, lazily made clients and platform,
// where to write, and the abort signal Ctrl-C raises.
import type { Command } from 'commander';
import { usageError } from './errors/shoal-error.ts';
import { connectKube } from './kube/clients.ts';
import type { KubeClients } from './kube/clients.ts';
import { loadPlatform } from './platform-file/load.ts';
import type { Platform } from './platform-file/platform.ts';

/** The global options (see cli.ts). */
export interface GlobalOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  output: OutputFormat;
  file: string;
  env?: string;
}

/** `--output`: human text, or one JSON document on stdout for scripts. */
export type OutputFormat = 'text' | 'json';

/** Where output goes; tests pass their own to capture it. */
export interface Io {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown };
  env: NodeJS.ProcessEnv;
  /** Working directory for relative paths (the platform file). */
  cwd: string;
}

/** One run of the CLI: shared by all verbs of the program. */
export interface CliRuntime {
  io: Io;
  /** Aborted on Ctrl-C: long operations stop at a safe point. */
  signal: AbortSignal;
  /** The exit code the run ends with (a verb sets it for "ran, but unhealthy"). */
  exitCode: number;
  /** The context for a verb's action (its command gives the options). */
  contextFor(command: Command): CommandContext;
}

/** What a verb works with. */
export class CommandContext {
  readonly options: GlobalOptions;
  readonly io: Io;
  readonly signal: AbortSignal;
  #kube: KubeClients | undefined;
  #platform: Platform | undefined;

  constructor(options: GlobalOptions, io: Io, signal: AbortSignal) {
    this.options = options;
    this.io = io;
    this.signal = signal;
  }

  /** The API clients (made on first use, so `--help` never needs a cluster). */
  get kube(): KubeClients {
    this.#kube ??= connectKube({
      kubeconfig: this.options.kubeconfig,
      context: this.options.context,
    });
    return this.#kube;
  }

  /** The platform file, resolved for --env and --namespace. */
  get platform(): Platform {
    this.#platform ??= loadPlatform(this.options.file, {
      environment: this.options.env,
      namespace: this.options.namespace,
    });
    return this.#platform;
  }

  /** True for `--output json`. */
  get json(): boolean {
    return this.options.output === 'json';
  }

  /** True when stdout is a terminal and text output is on (live progress). */
  get interactive(): boolean {
    return !this.json && this.io.stdout.isTTY === true && this.io.env.TERM !== 'dumb';
  }

  /** A line of human output (suppressed with --output json, where stdout is the document). */
  say(line: string): void {
    if (!this.json) this.io.stdout.write(`${line}\n`);
  }

  /** A line for humans even in JSON mode (on stderr): warnings. */
  warn(line: string): void {
    this.io.stderr.write(`${line}\n`);
  }

  /** Writes the verb's JSON document (with --output json). */
  emitJson(document: unknown): void {
    if (this.json) this.io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  }

  /** The named releases of the platform, or all when none are named; unknown names are usage errors. */
  selectReleases(names: string[]): string[] {
    const known = this.platform.releases.map((release) => release.name);
    for (const name of names) {
      if (!known.includes(name)) {
        throw usageError(
          `No release "${name}" in ${this.platform.file} (releases: ${known.join(', ')}).`,
        );
      }
    }
    return names.length > 0 ? names : known;
  }
}

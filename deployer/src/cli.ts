#!/usr/bin/env node
// shoal, the deployer CLI: the program, its global options and verbs, and how errors become
// one line and an exit code. Each verb lives in src/commands/<verb>.ts and registers itself.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { ExitCode } from './errors/exit-codes.ts';
import { ShoalError } from './errors/shoal-error.ts';
import { describeKubeError } from './errors/kube-error.ts';
import { CommandContext } from './runtime.ts';
import type { CliRuntime, GlobalOptions, Io } from './runtime.ts';
import * as deployCommand from './commands/deploy.ts';
import * as diffCommand from './commands/diff.ts';
import * as historyCommand from './commands/history.ts';
import * as rollbackCommand from './commands/rollback.ts';
import * as destroyCommand from './commands/destroy.ts';
import * as statusCommand from './commands/status.ts';
import * as scaleCommand from './commands/scale.ts';
import * as reconcileCommand from './commands/reconcile.ts';
import * as upCommand from './commands/up.ts';
import * as watchCommand from './commands/watch.ts';

/** A verb module: adds its command to the program. */
export interface VerbModule {
  register(program: Command, runtime: CliRuntime): void;
}

/** The verbs, in the order `shoal --help` lists them. */
const VERBS: VerbModule[] = [
  deployCommand,
  diffCommand,
  historyCommand,
  rollbackCommand,
  destroyCommand,
  statusCommand,
  scaleCommand,
  reconcileCommand,
  watchCommand,
  upCommand,
];

/** Builds the program with its global options and every verb. */
export function buildProgram(runtime: CliRuntime): Command {
  const program = new Command('shoal')
    .description(
      'Deploy and operate the Shoal platform on Kubernetes: render charts with helm, apply them with server-side apply, wait until healthy, roll back on failure.',
    )
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: its current-context)')
    .option(
      '-n, --namespace <name>',
      'put every release in this namespace (overrides the platform file)',
    )
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(['text', 'json'])
        .default('text'),
    )
    .option('-f, --file <path>', 'platform file', 'shoal.yaml')
    .option('-e, --env <name>', 'environment overlay of the platform file (kind, production, ...)')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  shoal deploy                       deploy every release of ./shoal.yaml, dependencies first
  shoal deploy auth --env kind       deploy one release with the kind overlay
  shoal diff -o json                 what a deploy would change, per object, as JSON
  shoal history auth                 the recorded revisions of a release
  shoal rollback auth --to 3         re-apply revision 3 and wait until healthy
  shoal status -o json               every release's health and scale, as JSON (exit 1 if unhealthy)
  shoal scale auth --replicas 4      auth at 4 replicas, autoscaler off, remembered by later deploys
  shoal watch                        autoscaling live: replicas, CPU against target, scaling events
  shoal up                           the platform on a local kind cluster (what make deploy runs)

Exit codes: 0 ok, 1 failed/unhealthy, 2 bad usage or platform file, 3 cluster unreachable or
request refused, 4 server-side apply conflict, 5 a tool missing or failing (helm; docker, kind
for up), 130 interrupted.`,
    );
  program.exitOverride();
  program.configureOutput({
    writeOut: (text) => runtime.io.stdout.write(text),
    writeErr: (text) => runtime.io.stderr.write(text),
  });
  for (const verb of VERBS) verb.register(program, runtime);
  return program;
}

/** Runs shoal with `argv` (without node and script); resolves with the exit code. */
export async function runShoal(argv: string[], io: Io, signal?: AbortSignal): Promise<number> {
  const runtime: CliRuntime = {
    io,
    signal: signal ?? new AbortController().signal,
    exitCode: ExitCode.Ok,
    contextFor(command: Command): CommandContext {
      return new CommandContext(command.optsWithGlobals<GlobalOptions>(), io, this.signal);
    },
  };
  const program = buildProgram(runtime);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return runtime.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    const shoalError =
      error instanceof ShoalError
        ? error
        : signal?.aborted
          ? new ShoalError('Interrupted.', ExitCode.Interrupted)
          : describeKubeError(error, 'complete the request');
    const json = argv.some((arg, index) =>
      arg === '-o' || arg === '--output' ? argv[index + 1] === 'json' : arg === '--output=json',
    );
    if (json) {
      io.stdout.write(
        `${JSON.stringify({ error: { message: shoalError.message, exitCode: shoalError.exitCode, ...shoalError.details } }, null, 2)}\n`,
      );
    } else {
      io.stderr.write(`shoal: ${shoalError.message}\n`);
    }
    if (io.env.SHOAL_DEBUG && error instanceof Error) io.stderr.write(`${error.stack ?? ''}\n`);
    return shoalError.exitCode;
  }
}

/** Process entry: wires Ctrl-C to the abort signal (twice: exit at once). */
async function main(): Promise<void> {
  const controller = new AbortController();
  process.on('SIGINT', () => {
    if (controller.signal.aborted) process.exit(ExitCode.Interrupted);
    process.stderr.write('\nshoal: stopping at the next safe point (Ctrl-C again to quit now)\n');
    controller.abort();
  });
  // SIGTERM (a service manager, a pod's shutdown) stops like Ctrl-C: at the next safe point.
  process.on('SIGTERM', () => controller.abort());
  const io: Io = {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  };
  const code = await runShoal(process.argv.slice(2), io, controller.signal);
  // Exit now: pooled keep-alive connections, or the watches of releases left behind by an
  // error, must not hold the process (stdout and stderr are synchronous on pipes and files).
  process.exit(code);
}

const invokedDirectly =
  process.argv[1] !== undefined &&
  realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
if (invokedDirectly) await main();

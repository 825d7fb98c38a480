// `shoal up` (what `make deploy` runs): check the prerequisites, create the kind cluster if it
// is not there, build the service images (tag = content hash) and load them into it, deploy
// the platform file's environment, and print where everything is reached.
import type { Command } from 'commander';
import { checkPrerequisites, missingRequired } from '../bootstrap/prerequisites.ts';
import type { PrerequisiteCheck } from '../bootstrap/prerequisites.ts';
import { runTool } from '../bootstrap/run-tool.ts';
import { commandLine, planUp } from '../bootstrap/up-plan.ts';
import type { UpPlan, UpStep } from '../bootstrap/up-plan.ts';
import { deployPlatform } from '../deploy/pipeline.ts';
import { lineReporter } from '../deploy/progress-lines.ts';
import { terminalReporter } from '../deploy/progress-terminal.ts';
import type { DeployReporter } from '../deploy/pipeline.ts';
import { ExitCode } from '../errors/exit-codes.ts';
import { ShoalError } from '../errors/shoal-error.ts';
import { connectKube } from '../kube/clients.ts';
import { findHelm } from '../render/helm-binary.ts';
import type { CliRuntime, CommandContext } from '../runtime.ts';

interface UpFlags {
  dryRun?: boolean;
}

/** Adds `up` to the program. */
export function register(program: Command, runtime: CliRuntime): void {
  program
    .command('up')
    .description(
      'the platform on a local kind cluster: check tools, create the cluster, build and load images, deploy, print URLs',
    )
    .option('--dry-run', 'check the prerequisites and print the plan, change nothing')
    .addHelpText(
      'after',
      `
Examples:
  shoal up                 what make deploy runs
  shoal up --dry-run       the commands it would run, and what is missing

Needs a running Docker engine, kind and helm (kubectl is optional). The cluster comes from
kind-config.yaml beside the platform file; images are tagged with the hash of their inputs,
so an unchanged service is neither rebuilt nor rolled out again.`,
    )
    .action(async (flags: UpFlags, command: Command) => {
      const context = runtime.contextFor(command);
      runtime.exitCode = await up(context, flags);
    });
}

async function up(context: CommandContext, flags: UpFlags): Promise<number> {
  const plan = planUp(context.platform, {
    context: context.options.context,
    kubeconfig: context.options.kubeconfig,
  });
  const checks = await checkPrerequisites(context.io.env);
  const missing = missingRequired(checks);
  if (flags.dryRun) {
    context.emitJson({ prerequisites: checks, plan });
    for (const line of checkLines(checks)) context.say(line);
    context.say('');
    for (const line of planLines(plan)) context.say(line);
    return ExitCode.Ok;
  }
  if (missing.length > 0) {
    for (const check of missing)
      context.io.stderr.write(`shoal up: ${check.tool}: ${check.detail}\n`);
    throw new ShoalError(
      `shoal up cannot start: ${missing.map((check) => check.tool).join(', ')} not ready (see above).`,
      ExitCode.Tooling,
      { details: { prerequisites: checks } },
    );
  }
  const helm = findHelm(context.io.env);
  const say = (line: string): void => context.warn(`up: ${line}`);
  const passThrough = (text: string): void => {
    context.io.stderr.write(text);
  };
  const run = async (step: UpStep): Promise<void> => {
    say(commandLine(step.command));
    const [program = '', ...args] = step.command;
    const result = await runTool(program, args, {
      // The Dockerfile uses BuildKit features (RUN --mount=type=cache).
      env: { ...context.io.env, DOCKER_BUILDKIT: '1' },
      cwd: plan.root,
      onOutput: passThrough,
      signal: context.signal,
    });
    if (result.code !== 0) {
      throw new ShoalError(
        `${commandLine(step.command)} failed (exit ${result.code}); its output is above.`,
        ExitCode.Tooling,
      );
    }
  };
  // 1. The cluster (unless kind has it already), the images, loaded into the cluster.
  const clusters = await runTool('kind', ['get', 'clusters'], { env: context.io.env });
  const exists = clusters.code === 0 && clusters.stdout.split('\n').includes(plan.cluster);
  for (const step of plan.steps) {
    if (context.signal.aborted) throw new ShoalError('Interrupted.', ExitCode.Interrupted);
    if (step.kind === 'cluster') {
      if (exists) say(`cluster ${plan.cluster} exists`);
      else await run(step);
    } else if (step.kind === 'kubeconfig') {
      if (exists) await run(step);
    } else if (step.kind === 'build') {
      const image = step.image ?? '';
      const inspect = await runTool('docker', ['image', 'inspect', image], { env: context.io.env });
      if (inspect.code === 0) say(`image ${image} is built (its inputs have not changed)`);
      else await run(step);
    } else if (step.kind === 'load') {
      await run(step);
    }
  }
  // 2. The deploy, in-process, against the kind cluster's context.
  say(`deploying to context ${plan.context}`);
  const kube = connectKube({ kubeconfig: context.options.kubeconfig, context: plan.context });
  const terminal = context.interactive
    ? terminalReporter((text) => context.io.stdout.write(text), context.io.stdout.columns ?? 100)
    : undefined;
  const reporter: DeployReporter =
    terminal ?? lineReporter((line) => (context.json ? context.warn(line) : context.say(line)));
  try {
    const report = await deployPlatform(kube, context.platform, {
      releases: [],
      helm,
      force: false,
      prune: true,
      rollback: true,
      images: Object.fromEntries(plan.images.map((image) => [image.release, image.image])),
      signal: context.signal,
      reporter,
    });
    terminal?.close();
    context.emitJson({ prerequisites: checks, plan, deploy: report });
    if (!report.ok) {
      context.say(
        'The deploy failed (see above); the cluster stays up: fix and run make deploy again.',
      );
      return ExitCode.Failed;
    }
  } finally {
    terminal?.close();
  }
  context.say('');
  context.say(`Shoal is up on kind cluster ${plan.cluster} (kubectl context ${plan.context}):`);
  for (const endpoint of plan.endpoints)
    context.say(`  ${endpoint.name.padEnd(11)} ${endpoint.url}`);
  return ExitCode.Ok;
}

/** One line per prerequisite: ok with its version, or what is wrong. */
export function checkLines(checks: PrerequisiteCheck[]): string[] {
  return checks.map(
    (check) =>
      `${check.ok ? 'ok     ' : check.required ? 'MISSING' : 'absent '} ${check.tool}: ${check.detail}`,
  );
}

/** The plan as numbered command lines, then the URLs it ends with. */
export function planLines(plan: UpPlan): string[] {
  const lines = [
    `shoal up would run (cluster ${plan.cluster}, environment ${plan.environment ?? 'none'}):`,
  ];
  plan.steps.forEach((step, index) => {
    lines.push(`  ${index + 1}. ${commandLine(step.command)}`);
    if (step.skippedWhen) lines.push(`     (skipped when ${step.skippedWhen})`);
  });
  lines.push('and then print:');
  for (const endpoint of plan.endpoints)
    lines.push(`  ${endpoint.name.padEnd(11)} ${endpoint.url}`);
  return lines;
}

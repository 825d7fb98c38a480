// `shoal up` (what `make deploy` runs): check the prerequisites, choose the image source (the
// platform file's default environment when the base image's registry answers, the offline
// image set when none does), create the kind cluster if it is not there, build the service
// images (tag = content hash) and load them into it, deploy the environment, and print where
// everything is reached. Each step is numbered and timed; the commands' output goes to logs.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import {
  chooseImageSource,
  imageSourceLine,
  OFFLINE_ENVIRONMENT,
} from '../bootstrap/image-source.ts';
import type { ImageSource } from '../bootstrap/image-source.ts';
import { checkPrerequisites, missingRequired } from '../bootstrap/prerequisites.ts';
import type { PrerequisiteCheck } from '../bootstrap/prerequisites.ts';
import { runTool } from '../bootstrap/run-tool.ts';
import { StepRunner } from '../bootstrap/step-runner.ts';
import { commandLine, planUp } from '../bootstrap/up-plan.ts';
import type { UpPlan } from '../bootstrap/up-plan.ts';
import { deployPlatform } from '../deploy/pipeline.ts';
import { lineReporter } from '../deploy/progress-lines.ts';
import { terminalReporter } from '../deploy/progress-terminal.ts';
import type { DeployReporter } from '../deploy/pipeline.ts';
import { ExitCode } from '../errors/exit-codes.ts';
import { ShoalError, usageError } from '../errors/shoal-error.ts';
import { connectKube } from '../kube/clients.ts';
import { parsePlatformFile, resolvePlatform } from '../platform-file/load.ts';
import type { Platform } from '../platform-file/platform.ts';
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
      'the platform on a local kind cluster: check tools, pick the image source, create the cluster, build and load images, deploy, print URLs',
    )
    .option('--dry-run', 'check the prerequisites and the registry, print the plan, change nothing')
    .addHelpText(
      'after',
      `
Examples:
  shoal up                       what make deploy runs
  shoal up --dry-run             the commands it would run, and what is missing
  shoal up --env kind            that environment, whatever the registry says (no probe)
  shoal up -o json               one JSON document: checks, plan, each step's time, the deploy

Needs a running Docker engine, kind and helm (kubectl is optional). The cluster comes from
kind-config.yaml beside the platform file; images are tagged with the hash of their inputs
and build arguments, so an unchanged service is neither rebuilt nor rolled out again.

Offline: unless --env is given, up first asks the registry the Dockerfile's base image
comes from (GET https://registry-1.docker.io/v2/, up to 5s; SHOAL_REGISTRY_PROBE_URL asks
another URL). Any HTTP answer (Docker Hub's is 401) means online: the platform file's default
environment. When none answers, up says so in one line and deploys the environment
kind-offline instead: its values select the offline images make kind-up loaded into the
cluster, and its build.args (NODE_IMAGE=...) give every docker build a base image that is
already here. Offline, up never creates the cluster (kind would pull its node image): when
it is missing, up tells you to run make kind-up and stops.

Progress: one line per step, numbered and timed ("up: [ 3/10] build shoal/auth:... done in
41s"), and a summary of every step's time at the end. The output of docker build, kind
create and kind load goes to .testbed/up/<step>.log beside the platform file (cluster.log,
kubeconfig.log, build-auth.log, ..., load-images.log); when a step fails, up prints that log's
last 20 lines, then one line naming it, and exits 5.`,
    )
    .action(async (flags: UpFlags, command: Command) => {
      const context = runtime.contextFor(command);
      runtime.exitCode = await up(context, flags);
    });
}

async function up(context: CommandContext, flags: UpFlags): Promise<number> {
  const checks = await checkPrerequisites(context.io.env);
  const missing = missingRequired(checks);
  if (missing.length > 0 && !flags.dryRun) {
    for (const check of missing)
      context.io.stderr.write(`shoal up: ${check.tool}: ${check.detail}\n`);
    throw new ShoalError(
      `shoal up cannot start: ${missing.map((check) => check.tool).join(', ')} not ready (see above).`,
      ExitCode.Tooling,
      { details: { prerequisites: checks } },
    );
  }
  const source = await chooseImageSource({
    explicitEnvironment: context.options.env,
    dockerfile: join(dirname(context.platform.file), 'Dockerfile'),
    env: context.io.env,
  });
  const platform = platformFor(context, source);
  const plan = planUp(platform, {
    context: context.options.context,
    kubeconfig: context.options.kubeconfig,
    offline: source.mode === 'offline' || platform.environment === OFFLINE_ENVIRONMENT,
  });
  const sourceLine = imageSourceLine(source);
  if (flags.dryRun) {
    context.emitJson({ prerequisites: checks, registry: source.registry ?? null, plan });
    for (const line of checkLines(checks)) context.say(line);
    if (sourceLine) context.say(sourceLine);
    context.say('');
    for (const line of planLines(plan)) context.say(line);
    return ExitCode.Ok;
  }
  const helm = findHelm(context.io.env);
  const say = (line: string): void => context.warn(`up: ${line}`);
  if (sourceLine) say(sourceLine);
  // 1. The cluster (unless kind has it already), the images, loaded into the cluster.
  const clusters = await runTool('kind', ['get', 'clusters'], { env: context.io.env });
  const exists = clusters.code === 0 && clusters.stdout.split('\n').includes(plan.cluster);
  if (!exists && plan.offline) {
    throw new ShoalError(
      `The kind cluster ${plan.cluster} does not exist and shoal up cannot create it offline (kind would pull its node image): run make kind-up, which builds the node image and creates the cluster, then run shoal up again.`,
      ExitCode.Tooling,
    );
  }
  const runner = new StepRunner({
    total: plan.steps.length,
    logDirectory: plan.logDirectory,
    say,
    print: (line) => context.warn(line),
    // The Dockerfile uses BuildKit features (RUN --mount=type=cache).
    env: { ...context.io.env, DOCKER_BUILDKIT: '1' },
    cwd: plan.root,
    displayFrom: context.io.cwd,
    signal: context.signal,
  });
  let deployStep = 0;
  for (const [position, step] of plan.steps.entries()) {
    const index = position + 1;
    if (context.signal.aborted) throw new ShoalError('Interrupted.', ExitCode.Interrupted);
    if (step.kind === 'cluster') {
      if (exists) runner.skip(index, step, 'it exists (kind get clusters lists it)');
      else await runner.command(index, step);
    } else if (step.kind === 'kubeconfig') {
      if (exists) await runner.command(index, step);
      else runner.skip(index, step, 'kind create cluster wrote the context');
    } else if (step.kind === 'build') {
      const image = step.image ?? '';
      const inspect = await runTool('docker', ['image', 'inspect', image], { env: context.io.env });
      if (inspect.code === 0) {
        runner.skip(index, step, 'built already (same inputs and build arguments, same tag)');
      } else {
        await runner.command(index, step);
      }
    } else if (step.kind === 'load') {
      await runner.command(index, step);
    } else {
      deployStep = index;
    }
  }
  // 2. The deploy, in-process, against the kind cluster's context.
  const deployPlanStep = plan.steps[deployStep - 1];
  const finishDeploy = deployPlanStep
    ? runner.begin(deployStep, deployPlanStep, `context ${plan.context}`)
    : undefined;
  const kube = connectKube({ kubeconfig: context.options.kubeconfig, context: plan.context });
  const terminal = context.interactive
    ? terminalReporter((text) => context.io.stdout.write(text), context.io.stdout.columns ?? 100)
    : undefined;
  const reporter: DeployReporter =
    terminal ?? lineReporter((line) => (context.json ? context.warn(line) : context.say(line)));
  try {
    const report = await deployPlatform(kube, platform, {
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
    finishDeploy?.(report.ok ? 'done' : 'failed');
    printSummary(context, runner);
    context.emitJson({
      prerequisites: checks,
      registry: source.registry ?? null,
      plan,
      steps: runner.records,
      deploy: report,
    });
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

/**
 * The platform up deploys: the one --env (or the file's default) resolved, or offline the
 * kind-offline environment, whose absence is one sentence rather than "no environment".
 */
function platformFor(context: CommandContext, source: ImageSource): Platform {
  if (source.mode !== 'offline') return context.platform;
  const file = context.platform.file;
  const spec = parsePlatformFile(readFileSync(file, 'utf8'), file);
  if (!spec.environments?.[OFFLINE_ENVIRONMENT]) {
    throw usageError(
      `No container registry answers and ${file} has no environment "${OFFLINE_ENVIRONMENT}" (the offline image set): add it (see deployer/README.md), or pick an environment with --env.`,
    );
  }
  return resolvePlatform(spec, file, {
    environment: OFFLINE_ENVIRONMENT,
    namespace: context.options.namespace,
  });
}

/** Every step's status and time, on stderr with the progress (stdout keeps the URLs). */
function printSummary(context: CommandContext, runner: StepRunner): void {
  const [first = '', ...rest] = runner.summaryLines();
  context.warn(`up: ${first}`);
  for (const line of rest) context.warn(line);
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
    `shoal up would run (cluster ${plan.cluster}, environment ${plan.environment ?? 'none'}${plan.offline ? ', offline image set' : ''}; each command's output goes to ${plan.logDirectory}/<step>.log):`,
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

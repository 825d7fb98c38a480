// `shoal deploy [release...]`: render, plan, apply with server-side apply, wait until healthy,
// roll back what fails, prune what a release no longer renders.
import type { Command } from 'commander';
import { lineReporter } from '../deploy/progress-lines.ts';
import { terminalReporter } from '../deploy/progress-terminal.ts';
import { deployPlatform } from '../deploy/pipeline.ts';
import type { DeployReporter } from '../deploy/pipeline.ts';
import { ExitCode } from '../errors/exit-codes.ts';
import { usageError } from '../errors/shoal-error.ts';
import { findHelm } from '../render/helm-binary.ts';
import type { CliRuntime, CommandContext } from '../runtime.ts';

interface DeployFlags {
  forceConflicts?: boolean;
  prune: boolean;
  rollback: boolean;
  image: string[];
}

/** Adds `deploy` to the program. */
export function register(program: Command, runtime: CliRuntime): void {
  program
    .command('deploy')
    .description(
      'deploy releases (all by default): render, plan, apply, wait until healthy, roll back on failure',
    )
    .argument('[release...]', 'releases to deploy (default: all, in dependency order)')
    .option('--force-conflicts', 'take ownership of fields another field manager owns')
    .option('--no-prune', 'keep objects a release no longer renders')
    .option('--no-rollback', 'leave a failed release as it is instead of rolling it back')
    .option(
      '--image <release=image>',
      'deploy this image for a release (repeatable), e.g. auth=shoal/auth:3f2a9c',
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .addHelpText(
      'after',
      `
Examples:
  shoal deploy                              everything, dependencies first, waves in parallel
  shoal deploy auth user                    just these releases
  shoal deploy --image auth=shoal/auth:v2   roll out a new image of auth
  shoal deploy --no-rollback -o json        keep a failed release for inspection; JSON result

A deploy with nothing to change applies nothing and says so. A failing pod (crash loop,
image pull, unschedulable) fails the release at once, with its reason and recent events;
the release is then rolled back to its last good revision.`,
    )
    .action(async (releases: string[], flags: DeployFlags, command: Command) => {
      const context = runtime.contextFor(command);
      runtime.exitCode = await deploy(context, releases, flags);
    });
}

async function deploy(
  context: CommandContext,
  names: string[],
  flags: DeployFlags,
): Promise<number> {
  context.selectReleases(names);
  const images = parseImages(flags.image, context);
  const helm = findHelm(context.io.env);
  const started = Date.now();
  const terminal = context.interactive
    ? terminalReporter((text) => context.io.stdout.write(text), context.io.stdout.columns ?? 100)
    : undefined;
  const reporter: DeployReporter =
    terminal ?? (context.json ? silentReporter() : lineReporter((line) => context.say(line)));
  try {
    const report = await deployPlatform(context.kube, context.platform, {
      releases: names,
      helm,
      force: flags.forceConflicts === true,
      prune: flags.prune,
      rollback: flags.rollback,
      images,
      signal: context.signal,
      reporter,
    });
    terminal?.close();
    const durationMs = Date.now() - started;
    context.emitJson({ ...report, durationMs });
    if (!report.changed && report.ok) {
      context.say(
        `Nothing to change: ${report.releases.length} release(s) up to date and healthy.`,
      );
    } else {
      const failed = report.releases.filter(
        (result) => !['deployed', 'unchanged'].includes(result.outcome),
      );
      context.say(
        report.ok
          ? `Deployed in ${(durationMs / 1000).toFixed(1)}s.`
          : `Deploy failed: ${failed.map((result) => `${result.name} ${result.outcome}`).join(', ')}.`,
      );
    }
    if (context.signal.aborted) return ExitCode.Interrupted;
    return report.ok ? ExitCode.Ok : ExitCode.Failed;
  } finally {
    terminal?.close();
  }
}

/** `--image auth=repo:tag` flags as a map; unknown releases are usage errors. */
function parseImages(flags: string[], context: CommandContext): Record<string, string> {
  const images: Record<string, string> = {};
  for (const flag of flags) {
    const separator = flag.indexOf('=');
    if (separator <= 0 || separator === flag.length - 1) {
      throw usageError(`--image ${flag}: expected <release>=<image>, e.g. auth=shoal/auth:v2.`);
    }
    const release = flag.slice(0, separator);
    context.selectReleases([release]);
    images[release] = flag.slice(separator + 1);
  }
  return images;
}

function silentReporter(): DeployReporter {
  return {
    planned: () => undefined,
    secrets: () => undefined,
    phase: () => undefined,
    progress: () => undefined,
    finished: () => undefined,
  };
}

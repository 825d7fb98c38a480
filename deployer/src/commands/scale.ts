// `shoal scale <release> --replicas N | --min A --max B | --reset`: applied now and remembered,
// so the next deploy neither undoes it silently nor fights the autoscaler.
import type { Command } from 'commander';
import { ExitCode } from '../errors/exit-codes.ts';
import { usageError } from '../errors/shoal-error.ts';
import { parseCount } from '../options/duration.ts';
import { findHelm } from '../render/helm-binary.ts';
import type { CliRuntime } from '../runtime.ts';
import { scaleRelease } from '../scale/scale-release.ts';
import type { ScaleRequest } from '../scale/scale-release.ts';

interface ScaleFlags {
  replicas?: string;
  min?: string;
  max?: string;
  reset?: boolean;
}

/** Adds `scale` to the program. */
export function register(program: Command, runtime: CliRuntime): void {
  program
    .command('scale')
    .description(
      "fix a release's replicas (autoscaler off) or its autoscaler's bounds, now and for later deploys",
    )
    .argument('<release>', 'the release')
    .option('--replicas <n>', 'run exactly n replicas; the autoscaler is turned off')
    .option('--min <n>', "the autoscaler's minimum replicas")
    .option('--max <n>', "the autoscaler's maximum replicas")
    .option('--reset', "forget the override: the chart's autoscaler and bounds again")
    .addHelpText(
      'after',
      `
Examples:
  shoal scale auth --replicas 4       4 replicas, no autoscaler
  shoal scale auth --min 3 --max 10   the autoscaler keeps auth between 3 and 10 replicas
  shoal scale auth --reset            back to what the chart says

The override is stored in the cluster (ConfigMap shoal.overrides.<release>); every deploy
applies it and says so in its plan, so a deploy never undoes a scale silently.`,
    )
    .action(async (name: string, flags: ScaleFlags, command: Command) => {
      const context = runtime.contextFor(command);
      const request = scaleRequestOf(flags);
      const [releaseName] = context.selectReleases([name]);
      const release = context.platform.releases.find((entry) => entry.name === releaseName);
      if (!release) return;
      const helm = request.mode === 'replicas' ? '' : findHelm(context.io.env);
      const result = await scaleRelease(context.kube, release, request, helm);
      context.emitJson(result);
      for (const change of result.changes) context.say(`${release.name}: ${change}`);
      const { replicas, minReplicas, maxReplicas } = result.overrides;
      context.say(
        replicas !== undefined
          ? `${release.name}: ${replicas} replicas, autoscaler off; remembered for later deploys (shoal scale ${release.name} --reset undoes it).`
          : minReplicas !== undefined || maxReplicas !== undefined
            ? `${release.name}: autoscaler bounds ${minReplicas ?? 'chart'}..${maxReplicas ?? 'chart'}; remembered for later deploys.`
            : `${release.name}: no scale override; the chart's autoscaler applies.`,
      );
      runtime.exitCode = ExitCode.Ok;
    });
}

/** The request the flags make; conflicting or missing flags are usage errors. */
export function scaleRequestOf(flags: ScaleFlags): ScaleRequest {
  const bounds = flags.min !== undefined || flags.max !== undefined;
  const modes = [flags.replicas !== undefined, bounds, flags.reset === true].filter(Boolean);
  if (modes.length !== 1) {
    throw usageError(
      modes.length === 0
        ? 'Say how to scale: --replicas N, or --min/--max, or --reset.'
        : '--replicas, --min/--max and --reset do not go together: --replicas turns the autoscaler off, --min/--max bound it.',
    );
  }
  if (flags.reset) return { mode: 'reset' };
  if (flags.replicas !== undefined) {
    return { mode: 'replicas', replicas: parseCount(flags.replicas, '--replicas') };
  }
  const request: ScaleRequest = { mode: 'bounds' };
  if (flags.min !== undefined) {
    request.minReplicas = parseCount(flags.min, '--min');
    if (request.minReplicas < 1) throw usageError('--min must be at least 1.');
  }
  if (flags.max !== undefined) {
    request.maxReplicas = parseCount(flags.max, '--max');
    if (request.maxReplicas < 1) throw usageError('--max must be at least 1.');
  }
  if (
    request.minReplicas !== undefined &&
    request.maxReplicas !== undefined &&
    request.minReplicas > request.maxReplicas
  ) {
    throw usageError(`--min ${request.minReplicas} is above --max ${request.maxReplicas}.`);
  }
  return request;
}

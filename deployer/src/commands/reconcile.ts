// `shoal reconcile [release...] --interval 30s`: keep the cluster as the platform file says.
// Each pass is a deploy that owns its fields (drift is overwritten) and reports what drifted;
// a pass with nothing to change changes nothing. Ctrl-C or SIGTERM stops it between passes
// (or at the next safe point of a pass), with exit code 0.
import { setTimeout as delay } from 'node:timers/promises';
import type { Command } from 'commander';
import { ExitCode } from '../errors/exit-codes.ts';
import { parseDuration } from '../options/duration.ts';
import { passLines, reconcilePass } from '../reconcile/reconcile-pass.ts';
import { findHelm } from '../render/helm-binary.ts';
import type { CliRuntime } from '../runtime.ts';

interface ReconcileFlags {
  interval: string;
  once?: boolean;
  prune: boolean;
  keepImages: boolean;
}

/** Adds `reconcile` to the program. */
export function register(program: Command, runtime: CliRuntime): void {
  program
    .command('reconcile')
    .description(
      'keep releases (all by default) as the platform file says: restore drift, report it, repeat',
    )
    .argument('[release...]', 'releases to reconcile (default: all)')
    .option('--interval <duration>', 'time between passes (30s, 2m, ...)', '30s')
    .option('--once', 'one pass, then exit (0 when converged)')
    .option('--no-prune', 'keep objects a release no longer renders')
    .option(
      '--no-keep-images',
      "deploy the platform file's images instead of the ones the releases run now",
    )
    .addHelpText(
      'after',
      `
Examples:
  shoal reconcile                     every 30 s until Ctrl-C or SIGTERM
  shoal reconcile --once -o json      one pass; its report as JSON
  shoal reconcile auth --interval 1m  just auth, every minute

Each pass owns every field the charts render (kubectl edits to them are undone), keeps the
images the releases run (what shoal up or deploy --image rolled out), and lists what it
restored. With -o json each pass is one JSON line.`,
    )
    .action(async (names: string[], flags: ReconcileFlags, command: Command) => {
      const context = runtime.contextFor(command);
      context.selectReleases(names);
      const interval = parseDuration(flags.interval, '--interval');
      const helm = findHelm(context.io.env);
      const platform = context.platform;
      const kube = context.kube;
      let lastOk = true;
      if (!flags.once) {
        context.say(
          `reconciling ${names.length > 0 ? names.join(', ') : `${platform.releases.length} release(s)`} every ${flags.interval} (Ctrl-C stops)`,
        );
      }
      while (!context.signal.aborted) {
        const report = await reconcilePass(kube, platform, {
          helm,
          releases: names,
          prune: flags.prune,
          keepImages: flags.keepImages,
          signal: context.signal,
        });
        lastOk = report.ok;
        if (context.json) context.io.stdout.write(`${JSON.stringify(report)}\n`);
        else for (const line of passLines(report)) context.say(line);
        if (flags.once) break;
        await delay(interval, undefined, { signal: context.signal }).catch(() => undefined);
      }
      if (flags.once) {
        runtime.exitCode = lastOk ? ExitCode.Ok : ExitCode.Failed;
        return;
      }
      context.say('reconcile stopped.');
      runtime.exitCode = ExitCode.Ok;
    });
}

// `shoal rollback <release> [--to N]`: re-applies a recorded revision (the previous good one by
// default) as a new revision, prunes what it did not have, and waits until healthy.
import type { Command } from 'commander';
import { lineReporter } from '../deploy/progress-lines.ts';
import { terminalReporter } from '../deploy/progress-terminal.ts';
import { planObjects } from '../deploy/prepare.ts';
import { rollOut } from '../deploy/rollout.ts';
import { ExitCode } from '../errors/exit-codes.ts';
import { usageError } from '../errors/shoal-error.ts';
import type { CliRuntime } from '../runtime.ts';
import { readOverrides } from '../state/overrides.ts';
import { RevisionStore } from '../state/revisions.ts';
import type { Revision } from '../state/revisions.ts';

interface RollbackFlags {
  to?: string;
}

/** Adds `rollback` to the program. */
export function register(program: Command, runtime: CliRuntime): void {
  program
    .command('rollback')
    .description('re-apply an earlier revision of a release and wait until healthy')
    .argument('<release>', 'the release')
    .option(
      '--to <revision>',
      'the revision to return to (default: the good one before the current)',
    )
    .addHelpText(
      'after',
      `
Examples:
  shoal rollback auth            back to the revision before the current one
  shoal rollback auth --to 3     back to revision 3 (see shoal history auth)

The rollback is recorded as a new revision; the one it replaces becomes rolled-back.
Scale overrides (shoal scale) stay in force.`,
    )
    .action(async (name: string, flags: RollbackFlags, command: Command) => {
      const context = runtime.contextFor(command);
      const [releaseName] = context.selectReleases([name]);
      const release = context.platform.releases.find((entry) => entry.name === releaseName);
      if (!release) return;
      const kube = context.kube;
      const store = new RevisionStore(kube);
      const history = await store.list(release.name, release.namespace);
      if (history.length === 0) {
        throw usageError(
          `${release.name} has no recorded revisions in namespace ${release.namespace}: nothing to roll back to.`,
        );
      }
      const current = history.findLast((revision) => revision.status === 'deployed');
      let target: Revision | undefined;
      if (flags.to !== undefined) {
        if (!/^\d+$/.test(flags.to))
          throw usageError(`--to ${flags.to}: expected a revision number.`);
        target = history.find((revision) => revision.revision === Number(flags.to));
        if (!target) {
          throw usageError(
            `${release.name} has no revision ${flags.to} (recorded: ${history.map((revision) => revision.revision).join(', ')}).`,
          );
        }
      } else {
        target = history.findLast(
          (revision) =>
            revision.revision < (current?.revision ?? Infinity) &&
            (revision.status === 'superseded' ||
              revision.status === 'rolled-back' ||
              revision.status === 'deployed'),
        );
        if (!target)
          throw usageError(
            `${release.name} has no good revision before the current one; pass --to N.`,
          );
      }
      const prepared = await planObjects(
        kube,
        release,
        target.manifests,
        await readOverrides(kube, release.name, release.namespace),
        history,
        { force: true, prune: true },
      );
      const terminal = context.interactive
        ? terminalReporter(
            (text) => context.io.stdout.write(text),
            context.io.stdout.columns ?? 100,
          )
        : undefined;
      const lines = lineReporter((line) => context.say(line));
      const result = await rollOut(kube, prepared, {
        force: true,
        prune: true,
        rollback: false,
        signal: context.signal,
        reporter: terminal ?? lines,
        description: `rollback to ${target.revision}`,
        previousStatus: 'rolled-back',
      }).finally(() => terminal?.close());
      const ok = result.outcome === 'deployed' || result.outcome === 'unchanged';
      context.emitJson({ ok, release: release.name, toRevision: target.revision, result });
      lines.finished(result);
      context.say(
        ok
          ? `${release.name} rolled back to revision ${target.revision}${result.revision ? ` (recorded as revision ${result.revision})` : ''}.`
          : `Rollback of ${release.name} to revision ${target.revision} failed.`,
      );
      runtime.exitCode = ok
        ? ExitCode.Ok
        : context.signal.aborted
          ? ExitCode.Interrupted
          : ExitCode.Failed;
    });
}

// `shoal diff [release...]`: what a deploy would change, per object, from a server-side
// dry-run against the live objects (so server defaults never show up as changes).
import type { Command } from 'commander';
import { prepareAll } from '../deploy/pipeline.ts';
import { ExitCode } from '../errors/exit-codes.ts';
import { describeCounts, planCounts } from '../plan/plan.ts';
import type { FieldChange } from '../plan/object-diff.ts';
import { findHelm } from '../render/helm-binary.ts';
import type { CliRuntime } from '../runtime.ts';

interface DiffFlags {
  prune: boolean;
  all?: boolean;
  exitCode?: boolean;
}

/** Adds `diff` to the program. */
export function register(program: Command, runtime: CliRuntime): void {
  program
    .command('diff')
    .description(
      'show what a deploy would change, per object (server-side dry-run; changes nothing)',
    )
    .argument('[release...]', 'releases to compare (default: all)')
    .option('--no-prune', 'leave out what a deploy would prune')
    .option('--all', 'list unchanged objects too')
    .option('--exit-code', 'exit 1 when there are changes (like git diff --exit-code)')
    .addHelpText(
      'after',
      `
Examples:
  shoal diff                    every release: objects to create, update, prune
  shoal diff auth -o json       one release, as JSON (fields with before/after)
  shoal diff --exit-code        in CI: fail when the cluster differs from the platform file

Secret values are never shown, only which keys change.`,
    )
    .action(async (releases: string[], flags: DiffFlags, command: Command) => {
      const context = runtime.contextFor(command);
      context.selectReleases(releases);
      const prepared = await prepareAll(context.kube, context.platform, {
        releases,
        helm: findHelm(context.io.env),
        force: false,
        prune: flags.prune,
        images: {},
      });
      const report = prepared.map((entry) => ({
        name: entry.release.name,
        namespace: entry.release.namespace,
        counts: planCounts(entry.plan),
        changes: entry.plan.changes
          .filter((change) => flags.all || change.action !== 'unchanged')
          .map((change) => ({
            action: change.action,
            kind: change.kind,
            name: change.name,
            namespace: change.namespace,
            ...(change.action === 'update' ? { fields: change.fields ?? [] } : {}),
          })),
        notes: entry.notes,
      }));
      const changed = report.some((entry) =>
        entry.changes.some((change) => change.action !== 'unchanged'),
      );
      context.emitJson({ changed, releases: report });
      for (const entry of report) {
        context.say(`${entry.name} (${entry.namespace}): ${describeCounts(entry.counts)}`);
        for (const change of entry.changes) {
          const sign = { create: '+', update: '~', prune: '-', unchanged: '=' }[change.action];
          context.say(`  ${sign} ${change.action} ${change.kind}/${change.name}`);
          for (const field of change.fields ?? []) context.say(`      ${describeField(field)}`);
        }
      }
      if (!changed) context.say('No differences: a deploy would change nothing.');
      runtime.exitCode = changed && flags.exitCode ? ExitCode.Failed : ExitCode.Ok;
    });
}

/** `.spec.replicas: 2 → 3` with long values shortened. */
function describeField(field: FieldChange): string {
  const show = (value: unknown): string => {
    const text = JSON.stringify(value) ?? 'undefined';
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  };
  if (field.before === undefined) return `${field.path}: + ${show(field.after)}`;
  if (field.after === undefined) return `${field.path}: - ${show(field.before)}`;
  return `${field.path}: ${show(field.before)} → ${show(field.after)}`;
}

// `shoal history <release>`: the revisions recorded in the cluster, newest last.
import type { Command } from 'commander';
import type { CliRuntime } from '../runtime.ts';
import { RevisionStore } from '../state/revisions.ts';

/** Adds `history` to the program. */
export function register(program: Command, runtime: CliRuntime): void {
  program
    .command('history')
    .description('list the recorded revisions of a release (status, time, images, what made them)')
    .argument('<release>', 'the release')
    .addHelpText(
      'after',
      `
Examples:
  shoal history auth
  shoal history auth -o json | jq '.revisions[-1].images'

Statuses: deployed (current), superseded (an earlier good one), failed, rolled-back
(replaced by \`shoal rollback\`), pending (being deployed, or interrupted).`,
    )
    .action(async (name: string, _flags: unknown, command: Command) => {
      const context = runtime.contextFor(command);
      const [releaseName] = context.selectReleases([name]);
      const release = context.platform.releases.find((entry) => entry.name === releaseName);
      if (!release) return;
      const revisions = await new RevisionStore(context.kube).list(release.name, release.namespace);
      const summaries = revisions.map(({ manifests, fingerprints: _fingerprints, ...summary }) => ({
        ...summary,
        objects: manifests.length,
      }));
      context.emitJson({
        release: release.name,
        namespace: release.namespace,
        revisions: summaries,
      });
      if (summaries.length === 0) {
        context.say(`${release.name} has no recorded revisions in namespace ${release.namespace}.`);
        return;
      }
      const rows = summaries.map((revision) => [
        String(revision.revision),
        revision.time.replace(/\.\d+Z$/, 'Z'),
        revision.status,
        revision.images.join(',') || '-',
        revision.failure ? `${revision.description}: ${revision.failure}` : revision.description,
      ]);
      for (const line of table(['REVISION', 'TIME', 'STATUS', 'IMAGES', 'DESCRIPTION'], rows)) {
        context.say(line);
      }
    });
}

/** Left-aligned columns, the last one unpadded. */
export function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  return [header, ...rows].map((row) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  '),
  );
}

// `shoal status [release...] [--watch]`: per release its revision, images, replicas, autoscaler
// and CPU, routes and health with the reason; the exit code is 0 only when all are healthy.
import type { Command } from 'commander';
import { ExitCode } from '../errors/exit-codes.ts';
import type { CliRuntime, CommandContext } from '../runtime.ts';
import { collectStatus } from '../status/collect-status.ts';
import type { StatusDocument } from '../status/status-schema.ts';
import { statusLines } from '../status/status-text.ts';
import { ChangeFeed, untilAborted } from '../watch/change-feed.ts';
import { RELEASE_LABEL } from '../state/labels.ts';

interface StatusFlags {
  watch?: boolean;
}

/** Adds `status` to the program. */
export function register(program: Command, runtime: CliRuntime): void {
  program
    .command('status')
    .description(
      'show releases (all by default): revision, images, replicas, autoscaler and CPU, routes, health and why',
    )
    .argument('[release...]', 'releases to show (default: all)')
    .option('-w, --watch', 'keep showing the status as it changes, until Ctrl-C')
    .addHelpText(
      'after',
      `
Examples:
  shoal status                      every release; exit code 0 only when all are healthy
  shoal status auth -o json         one release as JSON (schema: deployer/README.md)
  shoal status --watch              redraw on every change (JSON lines with -o json)

Health: Healthy, Progressing (rolling out, scaling), Degraded (failing: the reason names the
pod and container), Missing (not deployed, or an object was deleted), Suspended (paused).`,
    )
    .action(async (names: string[], flags: StatusFlags, command: Command) => {
      const context = runtime.contextFor(command);
      runtime.exitCode = flags.watch
        ? await watchStatus(context, names)
        : await showStatus(context, names);
    });
}

async function showStatus(context: CommandContext, names: string[]): Promise<number> {
  const document = await readStatus(context, names);
  context.emitJson(document);
  for (const line of statusLines(document)) context.say(line);
  return document.healthy ? ExitCode.Ok : ExitCode.Failed;
}

/** Re-reads and shows the status whenever the releases' objects change, until Ctrl-C. */
async function watchStatus(context: CommandContext, names: string[]): Promise<number> {
  const selected = new Set(context.selectReleases(names));
  const releases = context.platform.releases.filter((release) => selected.has(release.name));
  let last = '';
  let reading: Promise<void> = Promise.resolve();
  let healthy = false;
  const show = async (): Promise<void> => {
    const document = await readStatus(context, names);
    healthy = document.healthy;
    const text = statusLines(document).join('\n');
    if (text === last) return;
    last = text;
    if (context.json) {
      context.io.stdout.write(`${JSON.stringify(document)}\n`);
    } else if (context.interactive) {
      context.io.stdout.write(
        `\x1b[H\x1b[2J${new Date().toISOString()}  (Ctrl-C to stop)\n\n${text}\n`,
      );
    } else {
      context.io.stdout.write(`--- ${document.time}\n${text}\n`);
    }
  };
  const feed = new ChangeFeed({
    kube: context.kube,
    namespaces: releases.map((release) => release.namespace),
    kinds: [
      { apiVersion: 'apps/v1', kind: 'Deployment', labelSelector: RELEASE_LABEL },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', labelSelector: RELEASE_LABEL },
      { apiVersion: 'v1', kind: 'Pod', labelSelector: RELEASE_LABEL },
      { apiVersion: 'v1', kind: 'Service', labelSelector: RELEASE_LABEL },
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        labelSelector: RELEASE_LABEL,
      },
      { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', labelSelector: RELEASE_LABEL },
    ],
    debounceMs: 500,
    // One read at a time: a change during a read is picked up by the read after it.
    onChange: () => {
      reading = reading.then(show).catch((error: unknown) => {
        context.warn(`shoal: status: ${error instanceof Error ? error.message : String(error)}`);
      });
    },
    // Watches recover by themselves (re-list, backoff); say so only when debugging.
    onError: (error) => {
      if (context.io.env.SHOAL_DEBUG)
        context.warn(`shoal: watch interrupted (${error.message}); resuming`);
    },
  });
  await feed.start();
  await untilAborted(context.signal);
  await feed.stop();
  await reading;
  return healthy ? ExitCode.Ok : ExitCode.Failed;
}

async function readStatus(context: CommandContext, names: string[]): Promise<StatusDocument> {
  const selected = new Set(context.selectReleases(names));
  return collectStatus(
    context.kube,
    context.platform.releases.filter((release) => selected.has(release.name)),
  );
}

// `shoal watch [release...]`: the SRE's live view of autoscaling. Per workload: replicas and
// readiness, CPU against the autoscaler's target, a chart of replicas over time; and the
// scaling events as they happen. A redrawn screen in a terminal, a line per change elsewhere,
// JSON lines with --output json (samples every interval, events as they come).
import type {
  CoreV1Event,
  KubernetesObject,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import type { Command } from 'commander';
import { ExitCode } from '../errors/exit-codes.ts';
import { parseDuration } from '../options/duration.ts';
import type { CliRuntime, CommandContext } from '../runtime.ts';
import { RELEASE_LABEL } from '../state/labels.ts';
import { ChangeFeed, untilAborted } from '../watch/change-feed.ts';
import { ScalingView } from '../watch/scaling-view.ts';
import type { ScalingEvent } from '../watch/scaling-view.ts';
import { eventLine, frame, workloadLine } from '../watch/watch-render.ts';

interface WatchFlags {
  interval: string;
  duration?: string;
}

/** Adds `watch` to the program. */
export function register(program: Command, runtime: CliRuntime): void {
  program
    .command('watch')
    .description(
      'live autoscaling view: replicas and CPU against target per workload, scaling events, replicas over time',
    )
    .argument('[release...]', 'releases to watch (default: all)')
    .option('--interval <duration>', 'how often to sample and redraw', '2s')
    .option('--duration <duration>', 'stop after this long (default: until Ctrl-C)')
    .addHelpText(
      'after',
      `
Examples:
  shoal watch                         everything, until Ctrl-C
  shoal watch auth user               two releases
  shoal watch -o json --duration 5m   JSON lines: {"type":"sample",...} every interval,
                                      {"type":"scaled",...} and {"type":"autoscaler-event",...} as they happen`,
    )
    .action(async (names: string[], flags: WatchFlags, command: Command) => {
      const context = runtime.contextFor(command);
      runtime.exitCode = await watch(context, names, flags);
    });
}

async function watch(context: CommandContext, names: string[], flags: WatchFlags): Promise<number> {
  const intervalMs = parseDuration(flags.interval, '--interval');
  const durationMs = flags.duration ? parseDuration(flags.duration, '--duration') : undefined;
  const selected = new Set(context.selectReleases(names));
  const releases = context.platform.releases.filter((release) => selected.has(release.name));
  const view = new ScalingView(Date.now());
  const events: ScalingEvent[] = [];
  const printed = new Map<string, string>();
  const ours = (object: KubernetesObject): boolean =>
    selected.has(object.metadata?.labels?.[RELEASE_LABEL] ?? '') &&
    releases.some(
      (release) =>
        release.name === object.metadata?.labels?.[RELEASE_LABEL] &&
        release.namespace === object.metadata.namespace,
    );
  const write = (text: string): void => {
    context.io.stdout.write(text);
  };
  const emit = (fresh: ScalingEvent[]): void => {
    for (const event of fresh) {
      events.push(event);
      if (context.json) write(`${JSON.stringify(event)}\n`);
      else if (!context.interactive) write(`${eventLine(event)}\n`);
    }
    if (events.length > 200) events.splice(0, events.length - 200);
  };
  const draw = (): void => {
    if (!context.interactive) return;
    write(
      `\x1b[H\x1b[2J${frame(view, events, { now: new Date(), width: context.io.stdout.columns || 100, intervalMs })}\n`,
    );
  };
  const feed: ChangeFeed = new ChangeFeed({
    kube: context.kube,
    namespaces: releases.map((release) => release.namespace),
    kinds: [
      { apiVersion: 'apps/v1', kind: 'Deployment', labelSelector: RELEASE_LABEL },
      { apiVersion: 'apps/v1', kind: 'StatefulSet', labelSelector: RELEASE_LABEL },
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        labelSelector: RELEASE_LABEL,
      },
      {
        apiVersion: 'v1',
        kind: 'Event',
        fieldSelector: 'involvedObject.kind=HorizontalPodAutoscaler',
      },
    ],
    onChange: () => {
      const autoscalers = feed
        .objectsOf<V2HorizontalPodAutoscaler>('HorizontalPodAutoscaler')
        .filter(ours);
      const workloads = [...feed.objectsOf('Deployment'), ...feed.objectsOf('StatefulSet')].filter(
        ours,
      );
      emit(view.update(workloads, autoscalers, new Date()));
      emit(view.autoscalerEvents(feed.objectsOf<CoreV1Event>('Event'), autoscalers));
      if (!context.json && !context.interactive) {
        // Plain output: a line per workload whose state changed.
        for (const sample of view.workloads) {
          const line = workloadLine(sample);
          const key = `${sample.namespace}/${sample.kind}/${sample.name}`;
          if (printed.get(key) !== line) {
            printed.set(key, line);
            write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);
          }
        }
      }
      draw();
    },
    // Watches recover by themselves (re-list, backoff); say so only when debugging.
    onError: (error) => {
      if (context.io.env.SHOAL_DEBUG)
        context.warn(`shoal: watch interrupted (${error.message}); resuming`);
    },
  });
  await feed.start();
  const tick = (): void => {
    view.sample();
    if (context.json) {
      write(
        `${JSON.stringify({ type: 'sample', time: new Date().toISOString(), workloads: view.workloads })}\n`,
      );
    }
    draw();
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  context.signal.addEventListener('abort', onAbort, { once: true });
  const deadline =
    durationMs === undefined ? undefined : setTimeout(() => stop.abort(), durationMs);
  await untilAborted(stop.signal);
  context.signal.removeEventListener('abort', onAbort);
  clearTimeout(deadline);
  clearInterval(timer);
  await feed.stop();
  return ExitCode.Ok;
}

// `shoal watch` on the testbed: auth's pods report high CPU (kwok's usage annotation), the real
// HPA scales auth up, and the watch streams the scale-up as JSON lines. Plus its renderers.
import assert from 'node:assert/strict';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { KWOK_CPU_USAGE_ANNOTATION, loadKubeTestbed, useTestNamespace } from '@shoal/testbed';
import { runShoal } from '../src/cli.ts';
import type { ScalingEvent, WorkloadSample } from '../src/watch/scaling-view.ts';
import { ScalingView } from '../src/watch/scaling-view.ts';
import { sparkline } from '../src/watch/sparkline.ts';
import { frame } from '../src/watch/watch-render.ts';
import { expectExit, shoal, testbedHelm } from './support/cli.ts';
import { startShoal } from './support/live-run.ts';
import { writeOpsPlatform } from './support/ops-platform.ts';

type WatchLine = ScalingEvent | { type: 'sample'; time: string; workloads: WorkloadSample[] };

/** Runs `shoal watch` in-process until `until` sees the line it waits for (or the time is up), then stops it. */
async function watchUntil(
  args: string[],
  until: (line: WatchLine) => boolean,
  onStarted: () => Promise<void>,
): Promise<{ code: number; lines: WatchLine[]; stderr: string }> {
  const stop = new AbortController();
  const lines: WatchLine[] = [];
  let buffer = '';
  let stderr = '';
  let started = false;
  let found!: () => void;
  const seen = new Promise<void>((resolve) => (found = resolve));
  const exit = runShoal(
    ['--kubeconfig', loadKubeTestbed().kubeconfigPath, ...args],
    {
      stdout: {
        write: (text: string) => {
          buffer += text;
          let newline = buffer.indexOf('\n');
          while (newline !== -1) {
            const line = JSON.parse(buffer.slice(0, newline)) as WatchLine;
            buffer = buffer.slice(newline + 1);
            lines.push(line);
            if (!started && line.type === 'sample') {
              started = true;
              void onStarted();
            }
            if (until(line)) found();
            newline = buffer.indexOf('\n');
          }
        },
        isTTY: false,
      },
      stderr: { write: (text: string) => (stderr += text) },
      env: { ...process.env, SHOAL_HELM: testbedHelm() },
      cwd: process.cwd(),
    },
    stop.signal,
  );
  await Promise.race([seen, exit]);
  stop.abort();
  return { code: await exit, lines, stderr };
}

describe('shoal watch on the testbed', function () {
  this.timeout(240_000);
  const ns = useTestNamespace('deployer-watch');
  let file = '';

  before(async function () {
    this.timeout(120_000);
    file = writeOpsPlatform(ns.name);
    expectExit(await shoal(['--file', file, 'deploy', 'auth']), 0);
  });

  it("When auth's pods report CPU far above target, then watch streams samples with CPU against target and reports the scale-up", async () => {
    const core = ns.kubeConfig.makeApiClient(CoreV1Api);
    const busy = async (): Promise<void> => {
      const pods = await core.listNamespacedPod({
        namespace: ns.name,
        labelSelector: 'app.kubernetes.io/name=auth',
      });
      for (const pod of pods.items) {
        await core.patchNamespacedPod(
          {
            name: pod.metadata?.name ?? '',
            namespace: ns.name,
            body: { metadata: { annotations: { [KWOK_CPU_USAGE_ANNOTATION]: '400m' } } },
          },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
      }
    };
    const run = await watchUntil(
      ['--file', file, 'watch', 'auth', '-o', 'json', '--interval', '1s', '--duration', '200s'],
      (line) =>
        line.type === 'scaled' && line.workload === 'Deployment/auth' && line.to > line.from,
      busy,
    );
    assert.equal(run.code, 0, run.stderr);
    const scaled = run.lines.find((line) => line.type === 'scaled');
    assert.ok(
      scaled?.type === 'scaled',
      `no scale-up reported:\n${run.lines.map((line) => JSON.stringify(line)).join('\n')}`,
    );
    assert.deepEqual([scaled.release, scaled.namespace, scaled.from], ['auth', ns.name, 2]);
    assert.ok(scaled.to > 2 && scaled.to <= 6);
    const first = run.lines[0];
    assert.ok(first?.type === 'sample');
    assert.deepEqual(
      first.workloads.map((workload) => [
        workload.release,
        workload.name,
        workload.replicas,
        workload.autoscaler?.minReplicas,
        workload.autoscaler?.maxReplicas,
        workload.autoscaler?.cpuTargetPercent,
      ]),
      [['auth', 'auth', 2, 2, 6, 70]],
    );
    // The autoscaler saw the load: CPU above its target before it scaled.
    const hot = run.lines
      .filter((line) => line.type === 'sample')
      .flatMap((line) => line.workloads)
      .some((workload) => (workload.autoscaler?.cpuPercent ?? 0) > 70);
    const rescale = run.lines.some(
      (line) => line.type === 'autoscaler-event' && line.reason === 'SuccessfulRescale',
    );
    assert.ok(hot || rescale, "CPU above target, or the autoscaler's rescale event, was reported");
  });
  it('When watch runs in a terminal, then it redraws a table with CPU against target and the replica chart; plain output is a line per change', async () => {
    const live = startShoal(['--file', file, 'watch', 'auth', '--interval', '1s'], {
      tty: true,
      columns: 100,
    });
    const row = await live.waitFor((line) =>
      /^auth\/auth +\d+\/\d+ +\S+%\/70% +2\.\.6 +[▁▂▃▄▅▆▇█]+ \d+$/.test(line),
    );
    assert.equal(await live.stop(), 0, live.stderr());
    assert.ok(
      live.lines.some((line) => line.startsWith('\x1b[H\x1b[2Jshoal watch')),
      'the screen is cleared and redrawn',
    );
    assert.ok(row.length <= 100);
    const plain = expectExit(
      await shoal(['--file', file, 'watch', 'auth', '--duration', '2s', '--interval', '1s']),
      0,
    );
    assert.match(
      plain.stdout,
      /^\d\d:\d\d:\d\d auth: Deployment\/auth \d+ replicas, \d+ ready, autoscaler 2\.\.6, cpu \S+ of 70%$/m,
    );
  });
});

describe('shoal watch rendering', () => {
  const deployment = (replicas: number, ready: number) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'auth', namespace: 'shoal', labels: { 'shoal.dev/release': 'auth' } },
    spec: { replicas },
    status: { readyReplicas: ready },
  });
  const hpa = (cpu: number) => ({
    metadata: { name: 'auth', namespace: 'shoal', labels: { 'shoal.dev/release': 'auth' } },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'auth' },
      minReplicas: 2,
      maxReplicas: 8,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ],
    },
    status: {
      currentReplicas: 2,
      desiredReplicas: 4,
      currentMetrics: [
        { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: cpu } } },
      ],
    },
  });

  it('When values rise, then the sparkline rises with them on the 0..max scale', () => {
    assert.equal(sparkline([0, 2, 4, 6, 8], 8), '▁▃▅▆█');
    assert.equal(sparkline([2, 2, 2], 8), '▃▃▃');
    assert.equal(sparkline([]), '');
  });

  it('When replicas change between updates, then one scaled event is reported and the frame shows the chart, CPU against target and the event', () => {
    const view = new ScalingView(Date.now());
    const now = new Date('2026-11-28T05:00:00Z');
    assert.deepEqual(view.update([deployment(2, 2)], [hpa(150)], now), []);
    view.sample();
    const events = view.update([deployment(4, 2)], [hpa(150)], now);
    assert.deepEqual(events, [
      {
        type: 'scaled',
        time: now.toISOString(),
        release: 'auth',
        namespace: 'shoal',
        workload: 'Deployment/auth',
        from: 2,
        to: 4,
      },
    ]);
    view.sample();
    const text = frame(view, events, { now, width: 100, intervalMs: 2000 });
    assert.match(text, /^auth\/auth +2\/4 +150%\/70% +2\.\.8 +▃▅ 4$/m);
    assert.match(text, /05:00:00 auth: Deployment\/auth scaled 2 -> 4 replicas/);
  });

  it("When the autoscaler's events come in, then those from before the watch and repeats are left out", () => {
    const since = Date.parse('2026-11-28T05:00:00Z');
    const view = new ScalingView(since);
    const event = (uid: string, time: string, count: number) => ({
      metadata: { uid, name: uid },
      involvedObject: { kind: 'HorizontalPodAutoscaler', name: 'auth', namespace: 'shoal' },
      reason: 'SuccessfulRescale',
      message: 'New size: 4; reason: cpu resource utilization (percentage of request) above target',
      lastTimestamp: new Date(time),
      count,
    });
    const autoscalers = [hpa(150)];
    const first = view.autoscalerEvents(
      [event('old', '2026-11-28T04:59:00Z', 1), event('new', '2026-11-28T05:00:10Z', 1)],
      autoscalers,
    );
    assert.deepEqual(
      first.map(
        (entry) =>
          entry.type === 'autoscaler-event' && [entry.autoscaler, entry.reason, entry.time],
      ),
      [['auth', 'SuccessfulRescale', '2026-11-28T05:00:10.000Z']],
    );
    assert.deepEqual(
      view.autoscalerEvents([event('new', '2026-11-28T05:00:10Z', 1)], autoscalers),
      [],
    );
    assert.equal(
      view.autoscalerEvents([event('new', '2026-11-28T05:00:40Z', 2)], autoscalers).length,
      1,
    );
  });
});

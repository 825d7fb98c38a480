// How `shoal watch` looks: a redrawn frame in a terminal (table, replica charts, recent
// events), or plain lines elsewhere (a line per change, never repeated).
import { describeCpu } from '../status/live-summaries.ts';
import type { ScalingEvent, ScalingView, WorkloadSample } from './scaling-view.ts';
import { sparkline } from './sparkline.ts';

/** One line for a scaling event. */
export function eventLine(event: ScalingEvent): string {
  const clock = event.time.slice(11, 19);
  return event.type === 'scaled'
    ? `${clock} ${event.release}: ${event.workload} scaled ${event.from} -> ${event.to} replicas`
    : `${clock} ${event.release}: autoscaler ${event.autoscaler}: ${event.reason}: ${event.message}`;
}

/** One line for a workload's state (plain output prints it when it changes). */
export function workloadLine(sample: WorkloadSample): string {
  const hpa = sample.autoscaler;
  const scaling = hpa
    ? `, autoscaler ${hpa.minReplicas}..${hpa.maxReplicas}${describeCpu(hpa) ? `, ${describeCpu(hpa)}` : ''}`
    : ', no autoscaler';
  return `${sample.release}: ${sample.kind}/${sample.name} ${sample.replicas} replicas, ${sample.ready} ready${scaling}`;
}

/** The terminal frame: a row per workload with its chart, then the latest events. */
export function frame(
  view: ScalingView,
  events: readonly ScalingEvent[],
  options: { now: Date; width: number; intervalMs: number },
): string {
  const rows = view.workloads.map((sample) => {
    const hpa = sample.autoscaler;
    return {
      name: `${sample.release}/${sample.name}`,
      replicas: `${sample.ready}/${sample.replicas}`,
      cpu:
        hpa && hpa.cpuTargetPercent !== null
          ? `${hpa.cpuPercent ?? '?'}%/${hpa.cpuTargetPercent}%`
          : '-',
      bounds: hpa ? `${hpa.minReplicas}..${hpa.maxReplicas}` : 'fixed',
      history: view.historyOf(sample),
    };
  });
  // One scale for every chart, so services compare at a glance: the largest autoscaler
  // maximum or replica count on screen.
  const scale = Math.max(
    1,
    ...view.workloads.map((sample) => sample.autoscaler?.maxReplicas ?? 0),
    ...rows.flatMap((row) => row.history),
  );
  const widths = {
    name: Math.max(8, ...rows.map((row) => row.name.length)),
    replicas: Math.max(5, ...rows.map((row) => row.replicas.length)),
    cpu: Math.max(10, ...rows.map((row) => row.cpu.length)),
    bounds: Math.max(6, ...rows.map((row) => row.bounds.length)),
  };
  const chartWidth = Math.max(
    10,
    options.width - widths.name - widths.replicas - widths.cpu - widths.bounds - 10,
  );
  const span = Math.round((chartWidth * options.intervalMs) / 1000);
  const lines = [
    `shoal watch  ${options.now.toISOString().slice(11, 19)}  (Ctrl-C to stop)`,
    '',
    `${'WORKLOAD'.padEnd(widths.name)}  ${'READY'.padEnd(widths.replicas)}  ${'CPU/TARGET'.padEnd(widths.cpu)}  ${'HPA'.padEnd(widths.bounds)}  REPLICAS, LAST ${span}s`,
  ];
  for (const row of rows) {
    const recent = row.history.slice(-chartWidth);
    const last = recent.at(-1);
    lines.push(
      `${row.name.padEnd(widths.name)}  ${row.replicas.padEnd(widths.replicas)}  ${row.cpu.padEnd(widths.cpu)}  ${row.bounds.padEnd(widths.bounds)}  ${sparkline([...recent], scale)}${last === undefined ? '' : ` ${last}`}`,
    );
  }
  if (rows.length === 0) lines.push('(no workloads deployed by these releases yet)');
  lines.push('', 'SCALING EVENTS');
  const recentEvents = events.slice(-8);
  if (recentEvents.length === 0) lines.push('(none since the watch started)');
  for (const event of recentEvents) lines.push(eventLine(event).slice(0, options.width));
  return lines.join('\n');
}

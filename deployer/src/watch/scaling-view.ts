// The model behind `shoal watch`: per workload of the watched releases, its replicas, readiness
// and autoscaler (bounds, CPU against target) now, its replica counts over time, and the
// scaling events seen: replica changes of the workloads and the autoscalers' own events.
import type {
  CoreV1Event,
  KubernetesObject,
  V1Deployment,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import { RELEASE_LABEL } from '../state/labels.ts';
import { autoscalerStatus } from '../status/live-summaries.ts';
import type { AutoscalerStatus } from '../status/status-schema.ts';

/** One workload's state at a moment (a JSON line's `workloads[]`). */
export interface WorkloadSample {
  release: string;
  namespace: string;
  kind: string;
  name: string;
  /** spec.replicas: what its controller (or the autoscaler) asks for. */
  replicas: number;
  ready: number;
  autoscaler: AutoscalerStatus | null;
}

/** A scaling event: a workload's replica count changed, or an autoscaler said why. */
export type ScalingEvent =
  | {
      type: 'scaled';
      time: string;
      release: string;
      namespace: string;
      workload: string;
      from: number;
      to: number;
    }
  | {
      type: 'autoscaler-event';
      time: string;
      release: string;
      namespace: string;
      autoscaler: string;
      reason: string;
      message: string;
    };

/**
 * Autoscaler events that only say metrics are not there yet (normal while pods start, and
 * repeated every sync); the CPU column shows `?` meanwhile, so they are left out.
 */
const METRICS_NOT_READY = new Set(['FailedGetResourceMetric', 'FailedComputeMetricsReplicas']);

/** How many samples of history a workload keeps. */
const HISTORY = 120;

/** The state `shoal watch` shows; fed from watch caches, read by the renderers. */
export class ScalingView {
  readonly #history = new Map<string, number[]>();
  readonly #lastReplicas = new Map<string, number>();
  readonly #seenEvents = new Map<string, number>();
  readonly #since: number;
  #current: WorkloadSample[] = [];

  /** Events older than `since` (ms) are history, not news. */
  constructor(since: number) {
    this.#since = since;
  }

  /** Takes the current workloads and autoscalers; returns the replica changes since the last update. */
  update(
    workloads: KubernetesObject[],
    autoscalers: V2HorizontalPodAutoscaler[],
    now: Date,
  ): ScalingEvent[] {
    const events: ScalingEvent[] = [];
    const samples: WorkloadSample[] = [];
    for (const object of workloads) {
      const workload = object as V1Deployment;
      const namespace = workload.metadata?.namespace ?? '';
      const name = workload.metadata?.name ?? '';
      const hpa = autoscalers.find(
        (candidate) =>
          candidate.metadata?.namespace === namespace &&
          candidate.spec?.scaleTargetRef.kind === object.kind &&
          candidate.spec.scaleTargetRef.name === name,
      );
      const sample: WorkloadSample = {
        release: workload.metadata?.labels?.[RELEASE_LABEL] ?? '',
        namespace,
        kind: object.kind ?? '',
        name,
        replicas: workload.spec?.replicas ?? 1,
        ready: workload.status?.readyReplicas ?? 0,
        autoscaler: hpa ? autoscalerStatus(hpa) : null,
      };
      samples.push(sample);
      const key = keyOf(sample);
      const before = this.#lastReplicas.get(key);
      if (before !== undefined && before !== sample.replicas) {
        events.push({
          type: 'scaled',
          time: now.toISOString(),
          release: sample.release,
          namespace,
          workload: `${sample.kind}/${name}`,
          from: before,
          to: sample.replicas,
        });
      }
      this.#lastReplicas.set(key, sample.replicas);
    }
    this.#current = samples.sort(
      (a, b) => a.release.localeCompare(b.release) || a.name.localeCompare(b.name),
    );
    return events;
  }

  /** Takes the autoscalers' events; returns those not seen before and newer than the start. */
  autoscalerEvents(
    events: CoreV1Event[],
    autoscalers: V2HorizontalPodAutoscaler[],
  ): ScalingEvent[] {
    const fresh: ScalingEvent[] = [];
    for (const event of events) {
      const time = event.lastTimestamp ?? event.eventTime ?? event.metadata.creationTimestamp;
      const at = time ? new Date(time).getTime() : 0;
      // Event times have second precision: compare whole seconds.
      if (Math.floor(at / 1000) < Math.floor(this.#since / 1000)) continue;
      if (METRICS_NOT_READY.has(event.reason ?? '')) continue;
      const key = `${event.metadata.uid ?? event.metadata.name ?? ''}`;
      const count = event.count ?? 1;
      if ((this.#seenEvents.get(key) ?? 0) >= count) continue;
      this.#seenEvents.set(key, count);
      const hpa = autoscalers.find(
        (candidate) =>
          candidate.metadata?.name === event.involvedObject.name &&
          candidate.metadata?.namespace === event.involvedObject.namespace,
      );
      if (!hpa) continue;
      fresh.push({
        type: 'autoscaler-event',
        time: new Date(at).toISOString(),
        release: hpa.metadata?.labels?.[RELEASE_LABEL] ?? '',
        namespace: event.involvedObject.namespace ?? '',
        autoscaler: event.involvedObject.name ?? '',
        reason: event.reason ?? '',
        message: (event.message ?? '').trim(),
      });
    }
    return fresh.sort((a, b) => a.time.localeCompare(b.time));
  }

  /** Records the current replica counts as one point of history. */
  sample(): void {
    for (const sample of this.#current) {
      const series = this.#history.get(keyOf(sample)) ?? [];
      series.push(sample.replicas);
      if (series.length > HISTORY) series.shift();
      this.#history.set(keyOf(sample), series);
    }
  }

  /** The workloads now. */
  get workloads(): readonly WorkloadSample[] {
    return this.#current;
  }

  /** A workload's replica counts, oldest first. */
  historyOf(sample: WorkloadSample): readonly number[] {
    return this.#history.get(keyOf(sample)) ?? [];
  }
}

function keyOf(sample: { namespace: string; kind: string; name: string }): string {
  return `${sample.namespace}/${sample.kind}/${sample.name}`;
}

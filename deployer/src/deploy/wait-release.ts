// Waits until a release is healthy, through watches of its objects and pods (no polling, no
// sleeps). Fails as soon as a pod of the new revision shows a failure that will not fix itself
// (crash loop, image pull, unschedulable, bad config) or an object turns Degraded; on the
// deadline it fails with what is still not ready and why.
import type { KubernetesObject } from '@kubernetes/client-node';
import { objectHealth, KINDS_WITH_HEALTH } from '../health/object-health.ts';
import { entryFor, releaseHealth } from '../health/release-health.ts';
import type { ReleaseHealth } from '../health/release-health.ts';
import type { KubeClients } from '../kube/clients.ts';
import { ResilientWatch } from '../kube/resilient-watch.ts';
import { objectKey } from '../render/tracking.ts';
import { releaseSelector } from '../state/labels.ts';
import { currentPods } from './current-pods.ts';
import { recentWarnings } from './pod-events.ts';
import { readinessFailure, UNHEALTHY_EVENTS_SELECTOR } from './probe-failures.ts';

/** A pod as progress shows it. */
export interface PodSummary {
  name: string;
  phase: string;
  ready: boolean;
  restarts: number;
  /** Why it is not ready, when it is not. */
  reason?: string;
}

/** One step of a wait, for live progress. */
export interface ReleaseProgress {
  release: string;
  health: ReleaseHealth;
  pods: PodSummary[];
}

/** Why a release failed: per failing object, its reason and recent warning events. */
export interface Diagnosis {
  object: string;
  reason: string;
  events: string[];
}

/** How a wait ended. */
export type WaitOutcome =
  | { ok: true; health: ReleaseHealth }
  | {
      ok: false;
      health: ReleaseHealth;
      diagnosis: Diagnosis[];
      /** 'failing' (a failure showed), 'timeout', 'interrupted'. */
      cause: 'failing' | 'timeout' | 'interrupted';
      summary: string;
    };

/** What to wait for. */
export interface WaitInput {
  kube: KubeClients;
  release: string;
  namespace: string;
  /** The objects the release applied. */
  desired: KubernetesObject[];
  timeoutMs: number;
  signal: AbortSignal;
  onProgress?: (progress: ReleaseProgress) => void;
  /**
   * The apply, when the watches start while it runs (they list and subscribe meanwhile, so the
   * wait needs no list after it): nothing is judged, and the timeout does not run, until it
   * resolves; if it fails, the wait ends as `interrupted`. Only safe when the apply can make
   * no object look healthy too early: creates only (a copy not yet seen is Missing).
   */
  applied?: Promise<unknown>;
  /**
   * Generations the watched copies must have reached before a verdict, by objectKey: a
   * workload scaled right after its create is judged at its new scale, not at the one it was
   * created with (generation 1) if the watch has not delivered the scale yet.
   */
  minGenerations?: ReadonlyMap<string, number>;
}

/** Waits until the release is healthy, failing fast on what pods show. */
export async function waitForRelease(input: WaitInput): Promise<WaitOutcome> {
  const tracked = input.desired.filter((object) => KINDS_WITH_HEALTH.has(object.kind ?? ''));
  const selector = releaseSelector(input.release, input.namespace);
  const kinds = new Map<string, { apiVersion: string; kind: string }>();
  for (const object of tracked) {
    kinds.set(`${object.apiVersion ?? ''}/${object.kind ?? ''}`, {
      apiVersion: object.apiVersion ?? '',
      kind: object.kind ?? '',
    });
  }
  const hasWorkloads = tracked.some(
    (object) => object.metadata?.namespace !== undefined && podOwningKinds.has(object.kind ?? ''),
  );
  if (hasWorkloads) {
    kinds.set('v1/Pod', { apiVersion: 'v1', kind: 'Pod' });
    kinds.set('apps/v1/ReplicaSet', { apiVersion: 'apps/v1', kind: 'ReplicaSet' });
  }

  return new Promise<WaitOutcome>((resolve) => {
    // `deciding`: a verdict is being put together (events fetched); `done`: resolved.
    let deciding = false;
    let done = false;
    let scheduled = false;
    let armed = input.applied === undefined;
    const watches: ResilientWatch<KubernetesObject>[] = [];
    const finish = (outcome: WaitOutcome): void => {
      if (done) return;
      done = true;
      deciding = true;
      clearTimeout(timer);
      input.signal.removeEventListener('abort', onAbort);
      void Promise.all(watches.map((watch) => watch.stop())).then(() => resolve(outcome));
    };
    const live = (): Map<string, KubernetesObject> => {
      const all = new Map<string, KubernetesObject>();
      for (const watch of watches)
        for (const object of watch.objects.values()) all.set(objectKey(object), object);
      return all;
    };
    const snapshot = (): { health: ReleaseHealth; pods: KubernetesObject[] } => {
      const objects = live();
      const health = releaseHealth(
        tracked.map((object) => entryFor(object, objects.get(objectKey(object)))),
      );
      const all = [...objects.values()];
      const pods = currentPods(
        all.filter((object) => object.kind === 'Pod'),
        all.filter((object) => object.kind === 'ReplicaSet'),
        all,
      );
      return { health, pods };
    };
    const caughtUp = (): boolean => {
      if (!input.minGenerations) return true;
      const objects = live();
      for (const [key, generation] of input.minGenerations) {
        if ((objects.get(key)?.metadata?.generation ?? 0) < generation) return false;
      }
      return true;
    };
    const evaluate = (): void => {
      scheduled = false;
      if (!armed || deciding || watches.some((watch) => !synced.has(watch))) return;
      if (!caughtUp()) return;
      const { health, pods } = snapshot();
      input.onProgress?.({ release: input.release, health, pods: pods.map(summarizePod) });
      const events = [...live().values()].filter((object) => object.kind === 'Event');
      const failing = pods.filter(
        (pod) => objectHealth(pod).status === 'Degraded' || readinessFailure(pod, events),
      );
      if (failing.length > 0 || health.status === 'Degraded') {
        deciding = true;
        void diagnose(input, health, failing, events).then((diagnosis) =>
          finish({
            ok: false,
            health,
            diagnosis,
            cause: 'failing',
            summary: diagnosis[0]
              ? `${diagnosis[0].object}: ${diagnosis[0].reason}`
              : health.reason,
          }),
        );
        return;
      }
      if (health.status === 'Healthy' || health.status === 'Suspended')
        finish({ ok: true, health });
    };
    const schedule = (): void => {
      if (scheduled) return;
      scheduled = true;
      setImmediate(evaluate);
    };
    const synced = new Set<ResilientWatch<KubernetesObject>>();
    const onTimeout = (): void => {
      if (deciding) return;
      deciding = true;
      const { health, pods } = snapshot();
      const notReady = pods.filter((pod) => objectHealth(pod).status !== 'Healthy');
      const events = [...live().values()].filter((object) => object.kind === 'Event');
      void diagnose(input, health, notReady, events).then((diagnosis) => {
        finish({
          ok: false,
          health,
          diagnosis,
          cause: 'timeout',
          summary: `not healthy after ${Math.round(input.timeoutMs / 1000)}s: ${diagnosis[0] ? `${diagnosis[0].object}: ${diagnosis[0].reason}` : health.reason}`,
        });
      });
    };
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      armed = true;
      if (done) return;
      timer = setTimeout(onTimeout, input.timeoutMs);
      schedule();
    };
    const onAbort = (): void => {
      const { health } = snapshot();
      finish({ ok: false, health, diagnosis: [], cause: 'interrupted', summary: 'interrupted' });
    };
    input.signal.addEventListener('abort', onAbort, { once: true });
    if (input.signal.aborted) {
      onAbort();
      return;
    }
    if (input.applied) {
      void input.applied.then(arm, () =>
        finish({
          ok: false,
          health: releaseHealth([]),
          diagnosis: [],
          cause: 'interrupted',
          summary: 'not applied',
        }),
      );
    } else {
      timer = setTimeout(onTimeout, input.timeoutMs);
    }
    if (kinds.size === 0) {
      // Nothing to watch: healthy at once (once applied, by the evaluation arm schedules).
      if (!input.applied) finish({ ok: true, health: releaseHealth([]) });
      return;
    }
    for (const { apiVersion, kind } of kinds.values()) {
      const watch: ResilientWatch<KubernetesObject> = new ResilientWatch<KubernetesObject>({
        config: input.kube.config,
        objects: input.kube.objects,
        apiVersion,
        kind,
        namespace: input.namespace,
        labelSelector: selector,
        onChange: schedule,
      });
      watches.push(watch);
    }
    if (hasWorkloads) {
      // Probe failures reach us only as events (events carry no labels: selected by field).
      // They only help: a user who may not read events still gets a verdict, so this watch
      // does not hold evaluation back until it has listed.
      const eventWatch = new ResilientWatch<KubernetesObject>({
        config: input.kube.config,
        objects: input.kube.objects,
        apiVersion: 'v1',
        kind: 'Event',
        namespace: input.namespace,
        fieldSelector: UNHEALTHY_EVENTS_SELECTOR,
        onChange: schedule,
      });
      watches.push(eventWatch);
      synced.add(eventWatch);
    }
    for (const watch of watches) {
      void watch.start().then(() => {
        synced.add(watch);
        schedule();
      });
    }
  });
}

const podOwningKinds = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);

/** A pod's line in progress output. */
export function summarizePod(pod: KubernetesObject): PodSummary {
  const status = (
    pod as { status?: { phase?: string; containerStatuses?: { restartCount?: number }[] } }
  ).status;
  const health = objectHealth(pod);
  const summary: PodSummary = {
    name: pod.metadata?.name ?? '',
    phase: status?.phase ?? 'Pending',
    ready: health.status === 'Healthy',
    restarts: (status?.containerStatuses ?? []).reduce((sum, c) => sum + (c.restartCount ?? 0), 0),
  };
  if (health.status !== 'Healthy') summary.reason = health.reason;
  return summary;
}

/** Diagnoses a failed or stuck release: its failing pods (with events), else its worst object. */
async function diagnose(
  input: WaitInput,
  health: ReleaseHealth,
  pods: KubernetesObject[],
  events: KubernetesObject[] = [],
): Promise<Diagnosis[]> {
  const diagnosis: Diagnosis[] = [];
  for (const pod of pods.slice(0, 5)) {
    const name = pod.metadata?.name ?? '';
    const podHealth = objectHealth(pod);
    diagnosis.push({
      object: `Pod/${name}`,
      reason:
        podHealth.status === 'Degraded'
          ? podHealth.reason
          : (readinessFailure(pod, events) ?? podHealth.reason),
      events: await recentWarnings(input.kube, input.namespace, 'Pod', name),
    });
  }
  for (const entry of health.objects.filter((object) => object.health.status !== 'Healthy')) {
    if (diagnosis.length >= 8) break;
    diagnosis.push({
      object: `${entry.kind}/${entry.name}`,
      reason: `${entry.health.status}: ${entry.health.reason}`,
      events: await recentWarnings(input.kube, input.namespace, entry.kind, entry.name),
    });
  }
  return diagnosis;
}

/**
 * The release's health from objects just read (no watches): Healthy when every object is and
 * every current pod is ready; undefined otherwise (then wait, which diagnoses). Unchanged
 * releases are checked this way: two lists instead of a watch per kind.
 */
export async function healthyNow(
  kube: KubeClients,
  release: string,
  namespace: string,
  desired: KubernetesObject[],
  live: ReadonlyMap<string, KubernetesObject>,
): Promise<ReleaseHealth | undefined> {
  const tracked = desired.filter((object) => KINDS_WITH_HEALTH.has(object.kind ?? ''));
  const health = releaseHealth(
    tracked.map((object) => entryFor(object, live.get(objectKey(object)))),
  );
  if (health.status !== 'Healthy') return undefined;
  if (!tracked.some((object) => podOwningKinds.has(object.kind ?? ''))) return health;
  const selector = releaseSelector(release, namespace);
  const [pods, replicaSets] = await Promise.all([
    kube.objects.listAll('v1', 'Pod', { namespace, labelSelector: selector }),
    kube.objects.listAll('apps/v1', 'ReplicaSet', { namespace, labelSelector: selector }),
  ]);
  const current = currentPods(pods.items, replicaSets.items, [...live.values()]);
  return current.every((pod) => objectHealth(pod).status === 'Healthy') ? health : undefined;
}

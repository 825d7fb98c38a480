// Reads what `shoal status` shows, per release: its revisions and scale overrides (shoal's
// state), its live objects (one list per kind, by the release's labels), and their health
// judged against the deployed revision's objects, with failing pods named.
import type {
  KubernetesObject,
  V1Deployment,
  V1Ingress,
  V1StatefulSet,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import { currentPods } from '../deploy/current-pods.ts';
import { describeKubeError, isNotFound } from '../errors/kube-error.ts';
import { isWorse } from '../health/health.ts';
import { KINDS_WITH_HEALTH, objectHealth } from '../health/object-health.ts';
import { entryFor, releaseHealth } from '../health/release-health.ts';
import type { ObjectHealthEntry } from '../health/release-health.ts';
import type { KubeClients } from '../kube/clients.ts';
import { mapLimited } from '../kube/limit.ts';
import { readLive } from '../kube/server-side-apply.ts';
import type { Release } from '../platform-file/platform.ts';
import { objectKey } from '../render/tracking.ts';
import { applyOverrides } from '../state/apply-overrides.ts';
import { releaseSelector } from '../state/labels.ts';
import { readOverrides } from '../state/overrides.ts';
import { RevisionStore } from '../state/revisions.ts';
import { autoscalerStatus, routesOf, workloadStatus } from './live-summaries.ts';
import type { ReleaseStatus, StatusDocument } from './status-schema.ts';

/** Kinds read for every release, whatever its revision says (the summaries need them). */
const SUMMARY_KINDS = [
  { apiVersion: 'apps/v1', kind: 'Deployment' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet' },
  { apiVersion: 'apps/v1', kind: 'ReplicaSet' },
  { apiVersion: 'v1', kind: 'Pod' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress' },
];

/** The status of the given releases (a few at a time, to spare a small API server). */
export async function collectStatus(
  kube: KubeClients,
  releases: Release[],
): Promise<StatusDocument> {
  const statuses = await mapLimited(releases, 3, (release) => collectReleaseStatus(kube, release));
  return {
    apiVersion: 'shoal.dev/status.v1',
    healthy: statuses.every((status) => status.health.status === 'Healthy'),
    time: new Date().toISOString(),
    releases: statuses,
  };
}

/** The status of one release. */
export async function collectReleaseStatus(
  kube: KubeClients,
  release: Release,
): Promise<ReleaseStatus> {
  const selector = releaseSelector(release.name, release.namespace);
  const [revisions, overrides, live] = await Promise.all([
    new RevisionStore(kube).list(release.name, release.namespace),
    readOverrides(kube, release.name, release.namespace),
    listLive(kube, release.namespace, selector),
  ]);
  const deployed = revisions.findLast((revision) => revision.status === 'deployed');
  const latest = revisions.at(-1);
  // The deployed revision's objects, as the overrides recorded since make them now (a
  // `shoal scale --replicas` removes the autoscaler the revision still lists).
  const desired = deployed ? applyOverrides(deployed.manifests, overrides).objects : [];
  const byKey = new Map<string, KubernetesObject>();
  for (const object of live.values()) byKey.set(objectKey(object), object);
  const checked = desired.filter((object) => KINDS_WITH_HEALTH.has(object.kind ?? ''));
  const missingKinds = checked.filter(
    (object) => !SUMMARY_KINDS.some((kind) => kind.kind === object.kind),
  );
  // Kinds outside the summary lists (Services, PVCs, Jobs) are read one by one.
  const read = await mapLimited(missingKinds, 8, (entry) => readLive(kube, entry));
  read.forEach((found, index) => {
    const object = missingKinds[index];
    if (found && object) {
      byKey.set(objectKey(object), { ...found, apiVersion: object.apiVersion, kind: object.kind });
    }
  });
  const entries: ObjectHealthEntry[] = checked.map((object) =>
    entryFor(object, byKey.get(objectKey(object))),
  );
  const ofKind = <T>(kind: string): T[] =>
    [...live.values()].filter((object) => object.kind === kind) as T[];
  const workloads = [
    ...ofKind<V1Deployment>('Deployment'),
    ...ofKind<V1StatefulSet>('StatefulSet'),
  ] as KubernetesObject[];
  // Pods that fail show in the health with their own reason (crash loop, image pull, ...).
  for (const pod of currentPods(ofKind('Pod'), ofKind('ReplicaSet'), workloads)) {
    const health = objectHealth(pod);
    if (health.status === 'Degraded') {
      entries.push({ kind: 'Pod', name: pod.metadata?.name ?? '', health });
    }
  }
  const health = deployed
    ? releaseHealth(entries)
    : {
        status: 'Missing' as const,
        reason: latest
          ? `never deployed successfully (revision ${latest.revision} ${latest.status}${latest.failure ? `: ${latest.failure}` : ''})`
          : 'not deployed',
        objects: entries,
      };
  const workloadStatuses = workloads
    .map((object) => workloadStatus(object as V1Deployment))
    .sort((a, b) => a.name.localeCompare(b.name));
  return {
    name: release.name,
    namespace: release.namespace,
    revision: deployed?.revision ?? null,
    deployedAt: deployed?.time ?? null,
    latestRevision:
      latest && latest.revision !== deployed?.revision
        ? { revision: latest.revision, status: latest.status, failure: latest.failure ?? null }
        : null,
    images: [...new Set(workloadStatuses.flatMap((workload) => workload.images))].sort(),
    workloads: workloadStatuses,
    autoscalers: ofKind<V2HorizontalPodAutoscaler>('HorizontalPodAutoscaler')
      .map(autoscalerStatus)
      .sort((a, b) => a.name.localeCompare(b.name)),
    routes: ofKind<V1Ingress>('Ingress').flatMap(routesOf),
    overrides: {
      ...(overrides.replicas !== undefined ? { replicas: overrides.replicas } : {}),
      ...(overrides.minReplicas !== undefined ? { minReplicas: overrides.minReplicas } : {}),
      ...(overrides.maxReplicas !== undefined ? { maxReplicas: overrides.maxReplicas } : {}),
    },
    health: { status: health.status, reason: health.reason },
    problems: entries
      .filter((entry) => entry.health.status !== 'Healthy')
      .sort((a, b) => (isWorse(a.health.status, b.health.status) ? -1 : 1))
      .map((entry) => ({ kind: entry.kind, name: entry.name, health: entry.health })),
  };
}

/** The release's live objects of the summary kinds, by objectKey. */
async function listLive(
  kube: KubeClients,
  namespace: string,
  labelSelector: string,
): Promise<Map<string, KubernetesObject>> {
  const lists = await Promise.all(
    SUMMARY_KINDS.map(async ({ apiVersion, kind }) => {
      try {
        return (await kube.objects.listAll(apiVersion, kind, { namespace, labelSelector })).items;
      } catch (error) {
        if (isNotFound(error)) return [];
        throw describeKubeError(error, `list the ${kind}s of namespace ${namespace}`, kube.server);
      }
    }),
  );
  const live = new Map<string, KubernetesObject>();
  for (const object of lists.flat()) live.set(objectKey(object), object);
  return live;
}

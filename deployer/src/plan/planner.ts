// Plans a release against the cluster: each rendered object is dry-run applied (server-side,
// so defaults the server adds never show as changes) and compared with the live object;
// objects carrying the release's labels that it no longer renders are to be pruned.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeClients } from '../kube/clients.ts';
import { mapLimited } from '../kube/limit.ts';
import { serverSideApply } from '../kube/server-side-apply.ts';
import { objectKey } from '../render/tracking.ts';
import { releaseSelector } from '../state/labels.ts';
import { applyFingerprint } from './apply-fingerprint.ts';
import { comparable, diffObjects } from './object-diff.ts';
import type { PlannedChange, ReleasePlan } from './plan.ts';

/** What planning needs. */
export interface PlanInput {
  release: string;
  namespace: string;
  /** The objects to apply (tracked, overrides and kept secrets in). */
  desired: KubernetesObject[];
  /** Their live state by objectKey (missing: not there). */
  live: ReadonlyMap<string, KubernetesObject>;
  /** Kinds the release rendered before (from its history): where prune looks too. */
  previousKinds: { apiVersion: string; kind: string }[];
  force: boolean;
  /** Plan prunes (false: --no-prune). */
  prune: boolean;
  /**
   * The last good revision's objects and apply fingerprints by objectKey: an object rendered
   * identically whose live fingerprint still matches is unchanged without a dry-run.
   */
  previous?: {
    manifests: ReadonlyMap<string, KubernetesObject>;
    fingerprints: Readonly<Record<string, string>>;
  };
}

/** The plan of one release. */
export async function planRelease(kube: KubeClients, input: PlanInput): Promise<ReleasePlan> {
  const changes = await mapLimited(input.desired, 16, async (object): Promise<PlannedChange> => {
    const base = {
      kind: object.kind ?? '',
      name: object.metadata?.name ?? '',
      namespace: object.metadata?.namespace,
      object,
    };
    const key = objectKey(object);
    const live = input.live.get(key);
    if (!live) return { ...base, action: 'create', fields: diffObjects(undefined, object) };
    const before = input.previous?.manifests.get(key);
    const recorded = input.previous?.fingerprints[key];
    if (
      before &&
      recorded &&
      recorded === applyFingerprint(live) &&
      JSON.stringify(before) === JSON.stringify(object)
    ) {
      return { ...base, action: 'unchanged' };
    }
    const result = await serverSideApply(kube, object, { dryRun: true, force: input.force });
    if (JSON.stringify(comparable(result)) === JSON.stringify(comparable(live))) {
      return { ...base, action: 'unchanged' };
    }
    return { ...base, action: 'update', fields: diffObjects(live, result) };
  });
  if (input.prune) {
    const strays = await findStrays(kube, input);
    for (const stray of strays) {
      changes.push({
        action: 'prune',
        kind: stray.kind ?? '',
        name: stray.metadata?.name ?? '',
        namespace: stray.metadata?.namespace,
        object: stray,
      });
    }
  }
  return { release: input.release, namespace: input.namespace, changes };
}

/**
 * Live objects labelled with the release that it does not render now. Objects made by
 * controllers (with ownerReferences: pods, ReplicaSets) are never strays.
 */
export async function findStrays(
  kube: KubeClients,
  input: Pick<PlanInput, 'release' | 'namespace' | 'desired' | 'previousKinds'>,
): Promise<KubernetesObject[]> {
  const wanted = new Set(input.desired.map((object) => objectKey(object)));
  const kinds = new Map<string, { apiVersion: string; kind: string }>();
  for (const entry of [
    ...input.desired.map((object) => ({
      apiVersion: object.apiVersion ?? '',
      kind: object.kind ?? '',
    })),
    ...input.previousKinds,
  ]) {
    kinds.set(`${entry.apiVersion}/${entry.kind}`, entry);
  }
  const selector = releaseSelector(input.release, input.namespace);
  const lists = await mapLimited([...kinds.values()], 8, async ({ apiVersion, kind }) => {
    const resource = await kube.objects.resourceOf(apiVersion, kind).catch(() => undefined);
    if (!resource) return [];
    const listed = await kube.objects.listAll(apiVersion, kind, {
      ...(resource.namespaced ? { namespace: input.namespace } : {}),
      labelSelector: selector,
    });
    return listed.items;
  });
  return lists
    .flat()
    .filter(
      (object) =>
        !wanted.has(objectKey(object)) &&
        (object.metadata?.ownerReferences ?? []).length === 0 &&
        !object.metadata?.deletionTimestamp,
    );
}

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
import { diffObjects } from './object-diff.ts';
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
  /** The strays, when the caller has listed the release's objects already (saves the lists). */
  strays?: KubernetesObject[];
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
    // Compared field by field: key order differs between answers (list, get, apply).
    const fields = diffObjects(live, result);
    if (fields.length === 0) return { ...base, action: 'unchanged' };
    return { ...base, action: 'update', fields };
  });
  if (input.prune) {
    const strays = input.strays ?? (await findStrays(kube, input));
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

/** A kind to look in. */
export interface KindRef {
  apiVersion: string;
  kind: string;
}

/** Every live object of these kinds labelled with the release (kinds the server lacks are skipped). */
export async function listReleaseObjects(
  kube: KubeClients,
  release: string,
  namespace: string,
  kinds: KindRef[],
): Promise<KubernetesObject[]> {
  const unique = new Map(kinds.map((entry) => [`${entry.apiVersion}/${entry.kind}`, entry]));
  const selector = releaseSelector(release, namespace);
  const lists = await mapLimited([...unique.values()], 8, async ({ apiVersion, kind }) => {
    const resource = await kube.objects.resourceOf(apiVersion, kind).catch(() => undefined);
    if (!resource) return [];
    // Every namespace: a chart may place an object outside the release's namespace (a
    // RoleBinding in kube-system); the selector names the release and its namespace.
    const listed = await kube.objects.listAll(apiVersion, kind, { labelSelector: selector });
    return listed.items;
  });
  return lists.flat();
}

/**
 * Of the release's live objects, those it does not render now. Objects made by controllers
 * (with ownerReferences: pods, ReplicaSets) are never strays, nor ones being deleted.
 */
export function straysAmong(
  listed: KubernetesObject[],
  desired: KubernetesObject[],
): KubernetesObject[] {
  const wanted = new Set(desired.map((object) => objectKey(object)));
  return listed.filter(
    (object) =>
      !wanted.has(objectKey(object)) &&
      (object.metadata?.ownerReferences ?? []).length === 0 &&
      !object.metadata?.deletionTimestamp,
  );
}

/** The release's live objects (of the kinds it renders or rendered) that it does not render now. */
export async function findStrays(
  kube: KubeClients,
  input: Pick<PlanInput, 'release' | 'namespace' | 'desired' | 'previousKinds'>,
): Promise<KubernetesObject[]> {
  const kinds = [...input.desired.map(kindOf), ...input.previousKinds];
  const listed = await listReleaseObjects(kube, input.release, input.namespace, kinds);
  return straysAmong(listed, input.desired);
}

/** The kind of an object. */
export function kindOf(object: KubernetesObject): KindRef {
  return { apiVersion: object.apiVersion ?? '', kind: object.kind ?? '' };
}

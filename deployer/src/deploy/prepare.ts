// Turns a release of the platform file into its desired objects and plan: render with helm,
// track with labels, apply scale overrides, keep generated secrets, plan against the cluster.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeClients } from '../kube/clients.ts';
import { mapLimited } from '../kube/limit.ts';
import { readLive } from '../kube/server-side-apply.ts';
import { kindOf, listReleaseObjects, planRelease, straysAmong } from '../plan/planner.ts';
import type { ReleasePlan } from '../plan/plan.ts';
import { deepMerge } from '../platform-file/deep-merge.ts';
import type { Release } from '../platform-file/platform.ts';
import { helmTemplate } from '../render/helm-template.ts';
import { keepLiveSecretValues } from '../render/keep-secrets.ts';
import { objectKey, trackObjects } from '../render/tracking.ts';
import { applyOverrides } from '../state/apply-overrides.ts';
import { readOverrides } from '../state/overrides.ts';
import type { ReleaseOverrides } from '../state/overrides.ts';
import { RevisionStore } from '../state/revisions.ts';
import type { Revision } from '../state/revisions.ts';

/** A release ready to apply. */
export interface PreparedRelease {
  release: Release;
  /** The objects to apply, in the form they are applied and recorded. */
  desired: KubernetesObject[];
  plan: ReleasePlan;
  overrides: ReleaseOverrides;
  /** What the overrides changed. */
  notes: string[];
  history: Revision[];
  /** The live objects when planned, by objectKey. */
  live: ReadonlyMap<string, KubernetesObject>;
}

/** Options of prepareRelease. */
export interface PrepareOptions {
  helm: string;
  force: boolean;
  prune: boolean;
  /** An image for the release ("repo:tag" or "repo@sha256:..."), overriding the platform file. */
  image?: string | undefined;
}

/** Renders and plans one release. */
export async function prepareRelease(
  kube: KubeClients,
  release: Release,
  options: PrepareOptions,
): Promise<PreparedRelease> {
  const [overrides, history, rendered] = await Promise.all([
    readOverrides(kube, release.name, release.namespace),
    new RevisionStore(kube).list(release.name, release.namespace),
    helmTemplate(options.helm, withImage(release, options.image)),
  ]);
  return planObjects(kube, release, rendered, overrides, history, options);
}

/** Plans already rendered objects (a rollback's recorded manifests, or a fresh render). */
export async function planObjects(
  kube: KubeClients,
  release: Release,
  rendered: KubernetesObject[],
  overrides: ReleaseOverrides,
  history: Revision[],
  options: { force: boolean; prune: boolean },
): Promise<PreparedRelease> {
  const tracked = await trackObjects(
    rendered,
    release.name,
    release.namespace,
    (apiVersion, kind) => kube.objects.isNamespaced(apiVersion, kind),
  );
  const { objects, notes } = applyOverrides(tracked, overrides);
  const previousKinds = history.flatMap((revision) => revision.manifests.map(kindOf));
  // One list per kind finds the release's objects (and its strays); an object it renders
  // but that carries no release label yet (made by hand, or by helm) is read on its own.
  const listed = await listReleaseObjects(kube, release.name, release.namespace, [
    ...objects.map(kindOf),
    ...previousKinds,
  ]);
  const labelled = new Map(listed.map((object) => [objectKey(object), object]));
  const live = new Map<string, KubernetesObject>();
  await mapLimited(objects, 16, async (object) => {
    const key = objectKey(object);
    const found = labelled.get(key) ?? (await readLive(kube, object));
    if (found) live.set(key, { ...found, apiVersion: object.apiVersion, kind: object.kind });
  });
  const desired = keepLiveSecretValues(objects, (name, namespace) =>
    live.get(objectKey({ apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace } })),
  );
  const lastGood = history.findLast((revision) => revision.status === 'deployed');
  const plan = await planRelease(kube, {
    release: release.name,
    namespace: release.namespace,
    desired,
    live,
    previousKinds,
    strays: straysAmong(listed, desired),
    force: options.force,
    prune: options.prune,
    ...(lastGood?.fingerprints
      ? {
          previous: {
            manifests: new Map(lastGood.manifests.map((object) => [objectKey(object), object])),
            fingerprints: lastGood.fingerprints,
          },
        }
      : {}),
  });
  return { release, desired, plan, overrides, notes, history, live };
}

/** The release with an image reference put into its values (image.repository / tag / digest). */
export function withImage(release: Release, image: string | undefined): Release {
  if (!image) return release;
  const digestAt = image.indexOf('@');
  const lastColon = image.lastIndexOf(':');
  const lastSlash = image.lastIndexOf('/');
  let imageValues: Record<string, string>;
  if (digestAt !== -1) {
    imageValues = { repository: image.slice(0, digestAt), digest: image.slice(digestAt + 1) };
  } else if (lastColon > lastSlash) {
    imageValues = { repository: image.slice(0, lastColon), tag: image.slice(lastColon + 1) };
  } else {
    imageValues = { repository: image };
  }
  return { ...release, values: deepMerge(release.values, { image: imageValues }) };
}

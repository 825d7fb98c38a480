// The images releases run now, from their deployed revisions: a reconcile keeps them, so the
// images `shoal up` built (content-hash tags) or `deploy --image` rolled out are not reverted
// to the platform file's defaults by the next pass.
import type { KubeClients } from '../kube/clients.ts';
import { mapLimited } from '../kube/limit.ts';
import type { Release } from '../platform-file/platform.ts';
import { RevisionStore } from '../state/revisions.ts';

/** Per release with an `image.repository` value: the image of that repository its deployed revision runs. */
export async function deployedImages(
  kube: KubeClients,
  releases: Release[],
): Promise<Record<string, string>> {
  const store = new RevisionStore(kube);
  const found = await mapLimited(releases, 4, async (release) => {
    const repository = repositoryOf(release);
    if (!repository) return undefined;
    const deployed = await store.lastGood(release.name, release.namespace);
    const image = deployed?.images.find(
      (candidate) =>
        imageRepository(candidate) === repository ||
        imageRepository(candidate).endsWith(`/${repository}`),
    );
    return image ? ([release.name, image] as const) : undefined;
  });
  return Object.fromEntries(found.filter((entry) => entry !== undefined));
}

/** The release's `image.repository` value, if it sets one. */
function repositoryOf(release: Release): string | undefined {
  const image = release.values.image as { repository?: unknown } | undefined;
  return typeof image?.repository === 'string' ? image.repository : undefined;
}

/** `registry/repo` of `registry/repo:tag` or `registry/repo@sha256:...`. */
export function imageRepository(image: string): string {
  const digestAt = image.indexOf('@');
  const withoutDigest = digestAt === -1 ? image : image.slice(0, digestAt);
  const lastColon = withoutDigest.lastIndexOf(':');
  return lastColon > withoutDigest.lastIndexOf('/')
    ? withoutDigest.slice(0, lastColon)
    : withoutDigest;
}

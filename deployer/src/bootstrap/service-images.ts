// Which releases run an image built from this repository: those whose `image.repository` is
// `shoal/<service>` for a service the Dockerfile builds.
import type { Release } from '../platform-file/platform.ts';
import { contentTag } from './image-tag.ts';

/** The services the Dockerfile builds (its SERVICE build argument). */
export const BUILT_SERVICES = ['auth', 'user', 'event', 'notification', 'reporting', 'gateway'];

/** A release's image to build. */
export interface ServiceImage {
  release: string;
  service: string;
  /** `shoal/auth:3f2a9c0b1d2e` */
  image: string;
}

/** The images to build for the platform's releases, tagged by content and build arguments. */
export function serviceImages(
  root: string,
  releases: Release[],
  buildArgs: Record<string, string> = {},
): ServiceImage[] {
  const images: ServiceImage[] = [];
  for (const release of releases) {
    const repository = (release.values.image as { repository?: unknown } | undefined)?.repository;
    if (typeof repository !== 'string') continue;
    const service = /^shoal\/([a-z]+)$/.exec(repository)?.[1];
    if (!service || !BUILT_SERVICES.includes(service)) continue;
    images.push({
      release: release.name,
      service,
      image: `${repository}:${contentTag(root, service, buildArgs)}`,
    });
  }
  return images;
}

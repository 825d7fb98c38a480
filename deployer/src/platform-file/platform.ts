// The platform as a deploy sees it: each release resolved for one environment (namespace,
// absolute chart path and values files, inline values merged), and the dependency waves.
import type { GeneratedSecretSpec, ReleaseSpec } from './schema.ts';

/** A release, ready to render. */
export interface Release {
  name: string;
  namespace: string;
  /** Absolute chart directory. */
  chart: string;
  /** Absolute values files, in order (later wins). */
  valuesFiles: string[];
  /** Inline values (environment's, then the release's, then the image), applied after the files. */
  values: Record<string, unknown>;
  dependsOn: string[];
  timeoutSeconds: number;
}

/** The resolved platform of one environment. */
export interface Platform {
  /** The platform file it came from. */
  file: string;
  environment: string | undefined;
  /** The platform's namespace (where generated secrets go by default). */
  namespace: string;
  releases: Release[];
  /** Secrets to generate on first deploy (namespace resolved). */
  secrets: (GeneratedSecretSpec & { namespace: string })[];
  /** The environment's `build.args`: `shoal up` passes them to every `docker build`. */
  buildArgs: Record<string, string>;
}

/** The default wait for a release to become healthy. */
export const DEFAULT_RELEASE_TIMEOUT_SECONDS = 300;

/** Releases by name; throws on a name that is not there (caller reports it). */
export function releaseNamed(platform: Platform, name: string): Release | undefined {
  return platform.releases.find((release) => release.name === name);
}

/**
 * Orders releases in waves: every release comes after all it depends on; a wave's releases
 * are independent of each other (deployed in parallel). `only` restricts to those releases
 * (their dependencies are not added: deploying one release does not redeploy the platform).
 */
export function dependencyWaves(releases: Release[], only?: string[]): Release[][] {
  const wanted = new Set(only && only.length > 0 ? only : releases.map((r) => r.name));
  const placed = new Set<string>();
  const waves: Release[][] = [];
  let remaining = releases.filter((release) => wanted.has(release.name));
  while (remaining.length > 0) {
    const wave = remaining.filter((release) =>
      release.dependsOn.every((dependency) => placed.has(dependency) || !wanted.has(dependency)),
    );
    if (wave.length === 0) {
      throw new Error(
        `dependency cycle among: ${remaining.map((release) => release.name).join(', ')}`,
      );
    }
    for (const release of wave) placed.add(release.name);
    waves.push(wave);
    remaining = remaining.filter((release) => !placed.has(release.name));
  }
  return waves;
}

/** Builds the inline values of a release: image fields become image.repository / image.tag. */
export function imageValues(image: ReleaseSpec['image']): Record<string, unknown> {
  if (!image) return {};
  const fields: Record<string, string> = {};
  if (image.repository) fields.repository = image.repository;
  if (image.tag) fields.tag = image.tag;
  return Object.keys(fields).length > 0 ? { image: fields } : {};
}

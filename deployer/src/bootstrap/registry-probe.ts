// Does a container registry answer? `shoal up` asks the registry the Dockerfile's base image
// (its default NODE_IMAGE) comes from before building: where none answers, every `docker
// build` would fail pulling that base after minutes of waiting, so up switches to the
// offline image set instead (see image-source.ts).
import { readFileSync } from 'node:fs';

/** The verdict of one probe. */
export interface RegistryProbe {
  /** The URL asked (`https://registry-1.docker.io/v2/`). */
  url: string;
  answers: boolean;
  /** `HTTP 401` when it answers; else what went wrong (`ECONNREFUSED`, `no answer within 5s`). */
  detail: string;
}

/** A probe: tests pass their own; up uses probeRegistry. */
export type Probe = (url: string) => Promise<RegistryProbe>;

/**
 * Long enough for a slow link to answer, short enough not to hold up an offline `up`; the
 * same as testbed/kind/kind.sh's probe, so `make kind-up` and `shoal up` agree.
 */
export const PROBE_TIMEOUT_MS = 5_000;

/** The Dockerfile's base image when it sets none (kept in step with the Dockerfile). */
const FALLBACK_BASE = 'docker.io/library/node:24';

/**
 * Asks a registry's API root (`GET /v2/`): 200, or 401 when it wants a token first (Docker
 * Hub always does). Any HTTP status counts as an answer, as in testbed/kind/kind.sh, whose
 * verdict decides whether `make kind-up` built the offline image set: the two must agree.
 * Only a network error or silence means no registry answers.
 */
export async function probeRegistry(
  url: string,
  timeoutMs: number = PROBE_TIMEOUT_MS,
): Promise<RegistryProbe> {
  try {
    const response = await fetch(url, {
      method: 'GET',
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Only the status matters; the body is left unread so the connection can close.
    await response.body?.cancel();
    return { url, answers: true, detail: `HTTP ${response.status}` };
  } catch (error) {
    return { url, answers: false, detail: networkFailure(error, timeoutMs) };
  }
}

/** The base image the Dockerfile builds from when no NODE_IMAGE build argument is given. */
export function defaultBaseImage(dockerfile: string): string {
  let text: string;
  try {
    text = readFileSync(dockerfile, 'utf8');
  } catch {
    return FALLBACK_BASE;
  }
  return /^ARG\s+NODE_IMAGE=(\S+)/m.exec(text)?.[1] ?? FALLBACK_BASE;
}

/**
 * The API root of the registry an image reference is pulled from, docker's way: a first
 * path component with a dot or a port, or `localhost`, is a registry host; anything else
 * comes from Docker Hub, whose API is served at registry-1.docker.io.
 */
export function registryApiUrl(image: string): string {
  const [first = '', ...rest] = image.split('/');
  const host = rest.length > 0 && /[.:]|^localhost$/.test(first) ? first : 'docker.io';
  return `https://${host === 'docker.io' || host === 'index.docker.io' ? 'registry-1.docker.io' : host}/v2/`;
}

function networkFailure(error: unknown, timeoutMs: number): string {
  const failure = error as {
    name?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  if (failure.name === 'TimeoutError' || failure.name === 'AbortError') {
    return `no answer within ${Math.round(timeoutMs / 100) / 10}s`;
  }
  // fetch says only "fetch failed"; the reason (ENOTFOUND, ECONNREFUSED, "bad port") is its cause.
  return failure.cause?.code ?? failure.cause?.message ?? failure.message ?? String(error);
}

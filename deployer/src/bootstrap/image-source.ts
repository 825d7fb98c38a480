// Which environment `shoal up` deploys, and so which images and build arguments it uses: the
// one --env names; otherwise the platform file's default when the base image's registry
// answers, and `kind-offline` (the offline image set `make kind-up` loads, its own NODE_IMAGE
// build argument) when none does: on a machine without a registry nothing could be pulled.
import { defaultBaseImage, probeRegistry, registryApiUrl } from './registry-probe.ts';
import type { Probe, RegistryProbe } from './registry-probe.ts';

/** The environment of the offline image set (testbed/kind/images.sh builds its images). */
export const OFFLINE_ENVIRONMENT = 'kind-offline';

/** Overrides the URL probed (tests point it at 127.0.0.1; a mirror's users at their mirror). */
export const PROBE_URL_VARIABLE = 'SHOAL_REGISTRY_PROBE_URL';

/** How the environment was chosen. */
export interface ImageSource {
  /** `explicit`: --env; `online`: the registry answers; `offline`: it does not. */
  mode: 'explicit' | 'online' | 'offline';
  /** The environment to load; undefined: the platform file's defaultEnvironment. */
  environment: string | undefined;
  /** The probe's verdict; absent with --env (never probed). */
  registry?: RegistryProbe;
}

/** Options of chooseImageSource. */
export interface ImageSourceOptions {
  /** The global --env, when given. */
  explicitEnvironment: string | undefined;
  /** The Dockerfile whose default NODE_IMAGE names the registry to ask. */
  dockerfile: string;
  env: NodeJS.ProcessEnv;
  probe?: Probe;
}

/** Decides the environment: --env wins without a probe; else the registry's answer decides. */
export async function chooseImageSource(options: ImageSourceOptions): Promise<ImageSource> {
  if (options.explicitEnvironment !== undefined) {
    return { mode: 'explicit', environment: options.explicitEnvironment };
  }
  const url =
    options.env[PROBE_URL_VARIABLE] || registryApiUrl(defaultBaseImage(options.dockerfile));
  const registry = await (options.probe ?? probeRegistry)(url);
  return registry.answers
    ? { mode: 'online', environment: undefined, registry }
    : { mode: 'offline', environment: OFFLINE_ENVIRONMENT, registry };
}

/** The one line up prints about it (none with --env: the user chose). */
export function imageSourceLine(source: ImageSource): string | undefined {
  const registry = source.registry;
  if (!registry) return undefined;
  const host = new URL(registry.url).host;
  return source.mode === 'offline'
    ? `no container registry answers (${host}: ${registry.detail}): using the offline image set, environment ${OFFLINE_ENVIRONMENT}`
    : `registry ${host} answers (${registry.detail}): images build from their registries`;
}

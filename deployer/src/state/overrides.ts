// A release's scale overrides, remembered in the cluster so every later deploy honours them:
// `shoal scale` writes them, deploy applies them to the rendered objects. A ConfigMap
// `shoal.overrides.<release>` in the release's namespace.
import { PatchStrategy } from '@kubernetes/client-node';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { describeKubeError, isNotFound } from '../errors/kube-error.ts';
import type { KubeClients } from '../kube/clients.ts';
import { FIELD_MANAGER, STATE_LABEL, STATE_RELEASE_LABEL } from './labels.ts';

/**
 * What `shoal scale` fixed. `replicas` turns the autoscaler off (the release's HPAs are not
 * applied, so they are pruned) and sets every Deployment and StatefulSet to that count;
 * `minReplicas` / `maxReplicas` set the bounds of the release's HPAs.
 */
export interface ReleaseOverrides {
  replicas?: number;
  minReplicas?: number;
  maxReplicas?: number;
  /** ISO time of the last change. */
  updatedAt?: string;
}

/** The ConfigMap name of a release's overrides. */
export function overridesConfigMapName(release: string): string {
  return `shoal.overrides.${release}`;
}

/** True when nothing is overridden. */
export function hasOverrides(overrides: ReleaseOverrides): boolean {
  return (
    overrides.replicas !== undefined ||
    overrides.minReplicas !== undefined ||
    overrides.maxReplicas !== undefined
  );
}

/** Reads a release's overrides; none recorded gives `{}`. */
export async function readOverrides(
  kube: KubeClients,
  release: string,
  namespace: string,
): Promise<ReleaseOverrides> {
  let configMap: V1ConfigMap;
  try {
    configMap = await kube.core.readNamespacedConfigMap({
      name: overridesConfigMapName(release),
      namespace,
    });
  } catch (error) {
    if (isNotFound(error)) return {};
    throw describeKubeError(error, `read the scale overrides of ${release}`, kube.server);
  }
  return overridesFromData(configMap.data ?? {});
}

/** Writes (replaces) a release's overrides; an empty record deletes the ConfigMap. */
export async function writeOverrides(
  kube: KubeClients,
  release: string,
  namespace: string,
  overrides: ReleaseOverrides,
): Promise<void> {
  const name = overridesConfigMapName(release);
  try {
    if (!hasOverrides(overrides)) {
      await kube.core.deleteNamespacedConfigMap({ name, namespace }).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
      return;
    }
    const body: V1ConfigMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name,
        namespace,
        labels: { [STATE_LABEL]: 'overrides', [STATE_RELEASE_LABEL]: release },
      },
      data: overridesToData({ ...overrides, updatedAt: new Date().toISOString() }),
    };
    await kube.objects.patch(
      body,
      undefined,
      undefined,
      FIELD_MANAGER,
      true,
      PatchStrategy.ServerSideApply,
    );
  } catch (error) {
    throw describeKubeError(error, `record the scale overrides of ${release}`, kube.server);
  }
}

/** The ConfigMap data of overrides (string values, absent fields left out). */
export function overridesToData(overrides: ReleaseOverrides): Record<string, string> {
  const data: Record<string, string> = {};
  if (overrides.replicas !== undefined) data.replicas = String(overrides.replicas);
  if (overrides.minReplicas !== undefined) data.minReplicas = String(overrides.minReplicas);
  if (overrides.maxReplicas !== undefined) data.maxReplicas = String(overrides.maxReplicas);
  if (overrides.updatedAt) data.updatedAt = overrides.updatedAt;
  return data;
}

/** Parses ConfigMap data; non-numbers are ignored rather than trusted. */
export function overridesFromData(data: Record<string, string>): ReleaseOverrides {
  const number = (text: string | undefined): number | undefined => {
    if (text === undefined || !/^\d+$/.test(text)) return undefined;
    return Number(text);
  };
  const overrides: ReleaseOverrides = {};
  const replicas = number(data.replicas);
  const minReplicas = number(data.minReplicas);
  const maxReplicas = number(data.maxReplicas);
  if (replicas !== undefined) overrides.replicas = replicas;
  if (minReplicas !== undefined) overrides.minReplicas = minReplicas;
  if (maxReplicas !== undefined) overrides.maxReplicas = maxReplicas;
  if (data.updatedAt) overrides.updatedAt = data.updatedAt;
  return overrides;
}

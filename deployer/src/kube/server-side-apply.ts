// Server-side apply with shoal's field manager, and its conflicts as one sentence naming the
// other manager and the fields it owns.
import type { KubernetesObject } from '@kubernetes/client-node';
import { ExitCode } from '../errors/exit-codes.ts';
import { describeKubeError, isNotFound, kubeStatusOf } from '../errors/kube-error.ts';
import { ShoalError } from '../errors/shoal-error.ts';
import { FIELD_MANAGER } from '../state/labels.ts';
import type { KubeClients } from './clients.ts';

/** Options of an apply. */
export interface ApplyOptions {
  /** Take ownership of fields other managers own. */
  force?: boolean;
  /** Ask the server what would happen, persisting nothing. */
  dryRun?: boolean;
}

/** Applies an object (SSA, field manager `shoal`); resolves with the server's result. */
export async function serverSideApply(
  kube: KubeClients,
  object: KubernetesObject,
  options: ApplyOptions = {},
): Promise<KubernetesObject> {
  try {
    return await kube.objects.apply(object, {
      fieldManager: FIELD_MANAGER,
      force: options.force ?? false,
      dryRun: options.dryRun ?? false,
    });
  } catch (error) {
    throw describeApplyError(error, object, kube.server);
  }
}

/** Reads the live object; undefined when it does not exist. */
export async function readLive(
  kube: KubeClients,
  object: KubernetesObject,
): Promise<KubernetesObject | undefined> {
  try {
    return await kube.objects.read({
      apiVersion: object.apiVersion ?? '',
      kind: object.kind ?? '',
      metadata: { name: object.metadata?.name ?? '', namespace: object.metadata?.namespace ?? '' },
    });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw describeKubeError(error, `read ${refOf(object)}`, kube.server);
  }
}

/** Deletes an object (background propagation); a missing object is fine. */
export async function deleteObject(kube: KubeClients, object: KubernetesObject): Promise<boolean> {
  try {
    await kube.objects.delete(
      {
        apiVersion: object.apiVersion ?? '',
        kind: object.kind ?? '',
        metadata: {
          name: object.metadata?.name ?? '',
          namespace: object.metadata?.namespace ?? '',
        },
      },
      undefined,
      undefined,
      undefined,
      undefined,
      'Background',
    );
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw describeKubeError(error, `delete ${refOf(object)}`, kube.server);
  }
}

/** A conflict's managers and fields, from the 409's causes (`conflict with "kubectl" using apps/v1`). */
export function conflictsOf(error: unknown): { manager: string; field: string }[] {
  const status = kubeStatusOf(error);
  if (!status || status.code !== 409) return [];
  const fromCauses = status.causes
    .filter((cause) => cause.reason === 'FieldManagerConflict')
    .map((cause) => ({
      manager: /conflict with "([^"]+)"/.exec(cause.message ?? '')?.[1] ?? 'another manager',
      field: cause.field ?? '?',
    }));
  if (fromCauses.length > 0) return fromCauses;
  const manager = /conflict with "([^"]+)"/.exec(status.message)?.[1];
  return manager ? [{ manager, field: '?' }] : [];
}

function describeApplyError(error: unknown, object: KubernetesObject, server: string): ShoalError {
  const conflicts = conflictsOf(error);
  if (conflicts.length > 0) {
    const managers = [...new Set(conflicts.map((conflict) => conflict.manager))];
    const fields = conflicts.map((conflict) => conflict.field).join(', ');
    return new ShoalError(
      `Cannot apply ${refOf(object)}: field manager ${managers.map((m) => `"${m}"`).join(', ')} owns ${fields}; re-run with --force-conflicts to take ownership.`,
      ExitCode.Conflict,
      { cause: error, details: { object: refOf(object), conflicts } },
    );
  }
  return describeKubeError(error, `apply ${refOf(object)}`, server);
}

function refOf(object: KubernetesObject): string {
  const namespace = object.metadata?.namespace;
  return `${object.kind ?? '?'} ${namespace ? `${namespace}/` : ''}${object.metadata?.name ?? '?'}`;
}

// Secrets the platform needs that no chart makes: service client credentials (which auth and
// the client must share), the first admin account. Made on the first deploy, before any
// release; a value once written is never regenerated, and no value is ever printed.
import { randomBytes } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import { describeKubeError, isNotFound } from '../errors/kube-error.ts';
import type { KubeClients } from '../kube/clients.ts';
import type { Platform } from '../platform-file/platform.ts';
import { FIELD_MANAGER, STATE_LABEL } from '../state/labels.ts';
import { ensureNamespace } from './rollout.ts';

/** What a deploy did to one generated Secret (names only, never values). */
export interface SecretOutcome {
  name: string;
  namespace: string;
  /** created: made now; completed: keys added or templates refreshed; kept: untouched. */
  action: 'created' | 'completed' | 'kept';
}

/** The label on generated Secrets (destroy deletes them unless --keep-data). */
export const GENERATED_SECRET_VALUE = 'generated-secret';

/** Makes the platform's generated Secrets that are missing, in the order listed. */
export async function ensurePlatformSecrets(
  kube: KubeClients,
  platform: Platform,
): Promise<SecretOutcome[]> {
  const known = new Map<string, Record<string, string>>(); // secret name -> decoded data
  const outcomes: SecretOutcome[] = [];
  for (const spec of platform.secrets) {
    const live = await readSecret(kube, spec.name, spec.namespace);
    const data: Record<string, string> = {};
    for (const [key, value] of Object.entries(live?.data ?? {}))
      data[key] = Buffer.from(value, 'base64').toString('utf8');
    let changed = false;
    for (const [key, source] of Object.entries(spec.data)) {
      let next: string | undefined;
      if ('template' in source) next = fillTemplate(source.template, known);
      else if (data[key] === undefined)
        next = 'random' in source ? randomBytes(source.random).toString('base64url') : source.value;
      if (next !== undefined && next !== data[key]) {
        data[key] = next;
        changed = true;
      }
    }
    known.set(spec.name, data);
    if (live && !changed) {
      outcomes.push({ name: spec.name, namespace: spec.namespace, action: 'kept' });
      continue;
    }
    const body: V1Secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: {
        name: spec.name,
        namespace: spec.namespace,
        labels: { ...live?.metadata?.labels, [STATE_LABEL]: GENERATED_SECRET_VALUE },
        ...(live?.metadata?.resourceVersion
          ? { resourceVersion: live.metadata.resourceVersion }
          : {}),
      },
      data: Object.fromEntries(
        Object.entries(data).map(([key, value]) => [
          key,
          Buffer.from(value, 'utf8').toString('base64'),
        ]),
      ),
    };
    try {
      if (live) {
        await kube.core.replaceNamespacedSecret({
          name: spec.name,
          namespace: spec.namespace,
          body,
          fieldManager: FIELD_MANAGER,
        });
      } else {
        await ensureNamespace(kube, spec.namespace);
        await kube.core.createNamespacedSecret({
          namespace: spec.namespace,
          body,
          fieldManager: FIELD_MANAGER,
        });
      }
    } catch (error) {
      throw describeKubeError(
        error,
        `write the generated Secret ${spec.namespace}/${spec.name}`,
        kube.server,
      );
    }
    outcomes.push({
      name: spec.name,
      namespace: spec.namespace,
      action: live ? 'completed' : 'created',
    });
  }
  return outcomes;
}

/** Fills `{{ secret.key }}` from Secrets made before (names checked when the file was loaded). */
export function fillTemplate(
  template: string,
  known: ReadonlyMap<string, Record<string, string>>,
): string {
  return template.replace(/\{\{\s*([^}\s]+)\s*\}\}/g, (_match, reference: string) => {
    const dot = reference.lastIndexOf('.');
    const value = known.get(reference.slice(0, dot))?.[reference.slice(dot + 1)];
    if (value === undefined)
      throw new Error(`generated Secret template: ${reference} has no value`);
    // Values land inside JSON strings in practice: escape what would break them.
    return JSON.stringify(value).slice(1, -1);
  });
}

async function readSecret(
  kube: KubeClients,
  name: string,
  namespace: string,
): Promise<V1Secret | undefined> {
  try {
    return await kube.core.readNamespacedSecret({ name, namespace });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw describeKubeError(error, `read the Secret ${namespace}/${name}`, kube.server);
  }
}

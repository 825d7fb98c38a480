// Puts a release's scale overrides into its rendered objects, so a deploy neither undoes a
// `shoal scale` silently nor fights the autoscaler.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ReleaseOverrides } from './overrides.ts';

/** What applying overrides did, for the deploy's report. */
export interface OverridesOutcome {
  objects: KubernetesObject[];
  /** One line per change ("Deployment auth: replicas 4 (scale override), HPA auth not applied"). */
  notes: string[];
}

const SCALABLE_KINDS = new Set(['Deployment', 'StatefulSet']);

/**
 * With `replicas`: HPAs are left out (they get pruned, the autoscaler is off) and every
 * Deployment/StatefulSet gets that count. With min/max: each HPA gets those bounds (min is
 * raised to at most max). Objects are copied, never changed in place.
 */
export function applyOverrides(
  objects: KubernetesObject[],
  overrides: ReleaseOverrides,
): OverridesOutcome {
  const notes: string[] = [];
  const result: KubernetesObject[] = [];
  for (const object of objects) {
    const name = object.metadata?.name ?? '?';
    if (overrides.replicas !== undefined) {
      if (object.kind === 'HorizontalPodAutoscaler') {
        notes.push(
          `HorizontalPodAutoscaler ${name} not applied: scaled to ${overrides.replicas} by hand`,
        );
        continue;
      }
      if (SCALABLE_KINDS.has(object.kind ?? '')) {
        const copy = structuredClone(object) as KubernetesObject & { spec?: { replicas?: number } };
        copy.spec = { ...copy.spec, replicas: overrides.replicas };
        notes.push(`${object.kind} ${name}: replicas ${overrides.replicas} (scale override)`);
        result.push(copy);
        continue;
      }
    } else if (
      object.kind === 'HorizontalPodAutoscaler' &&
      (overrides.minReplicas !== undefined || overrides.maxReplicas !== undefined)
    ) {
      const copy = structuredClone(object) as KubernetesObject & {
        spec?: { minReplicas?: number; maxReplicas?: number };
      };
      const spec = { ...copy.spec };
      if (overrides.maxReplicas !== undefined) spec.maxReplicas = overrides.maxReplicas;
      if (overrides.minReplicas !== undefined) spec.minReplicas = overrides.minReplicas;
      if (spec.minReplicas !== undefined && spec.maxReplicas !== undefined) {
        spec.minReplicas = Math.min(spec.minReplicas, spec.maxReplicas);
      }
      copy.spec = spec;
      notes.push(
        `HorizontalPodAutoscaler ${name}: min ${spec.minReplicas ?? '-'} max ${spec.maxReplicas ?? '-'} (scale override)`,
      );
      result.push(copy);
      continue;
    }
    result.push(object);
  }
  return { objects: result, notes };
}

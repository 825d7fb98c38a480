// A release's health: the worst of its objects', with the object that decided it named.
import type { KubernetesObject } from '@kubernetes/client-node';
import { isWorse } from './health.ts';
import type { Health } from './health.ts';
import { objectHealth } from './object-health.ts';

/** One object's health within a release. */
export interface ObjectHealthEntry {
  kind: string;
  name: string;
  namespace?: string | undefined;
  health: Health;
}

/** A release's health and the per-object detail behind it. */
export interface ReleaseHealth extends Health {
  objects: ObjectHealthEntry[];
}

/** The object entry for a rendered object and its live state (undefined: missing). */
export function entryFor(
  desired: KubernetesObject,
  live: KubernetesObject | undefined,
): ObjectHealthEntry {
  return {
    kind: desired.kind ?? '',
    name: desired.metadata?.name ?? '',
    namespace: desired.metadata?.namespace,
    health: objectHealth(live),
  };
}

/** Combines object entries: the worst status wins; the reason is "Kind/name: its reason". */
export function releaseHealth(entries: ObjectHealthEntry[]): ReleaseHealth {
  let worst: ObjectHealthEntry | undefined;
  for (const entry of entries) {
    if (!worst || isWorse(entry.health.status, worst.health.status)) worst = entry;
  }
  if (!worst || worst.health.status === 'Healthy') {
    return { status: 'Healthy', reason: `${entries.length} objects healthy`, objects: entries };
  }
  return {
    status: worst.health.status,
    reason: `${worst.kind}/${worst.name}: ${worst.health.reason}`,
    objects: entries,
  };
}

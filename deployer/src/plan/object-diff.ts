// What differs between an object as it is and as it would be, as field paths: the plan's
// "update" detail and the body of `shoal diff`. Secret values are never shown.
import type { KubernetesObject } from '@kubernetes/client-node';

/** One changed field. */
export interface FieldChange {
  /** `.spec.template.spec.containers[0].image` */
  path: string;
  before?: unknown;
  after?: unknown;
}

/** Metadata the server writes on every change: never a difference worth showing. */
const VOLATILE_METADATA = [
  'managedFields',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'uid',
  'selfLink',
];

/** A copy without server bookkeeping (volatile metadata, status), for comparisons. */
export function comparable(object: KubernetesObject): Record<string, unknown> {
  const copy = structuredClone(object) as Record<string, unknown> & {
    metadata?: Record<string, unknown>;
  };
  if (copy.metadata) {
    for (const field of VOLATILE_METADATA) delete copy.metadata[field];
    const annotations = copy.metadata.annotations as Record<string, string> | undefined;
    if (annotations) {
      delete annotations['deployment.kubernetes.io/revision'];
      if (Object.keys(annotations).length === 0) delete copy.metadata.annotations;
    }
  }
  delete copy.status;
  return copy;
}

/** The changed leaves between two objects (Secret data values masked). */
export function diffObjects(
  before: KubernetesObject | undefined,
  after: KubernetesObject,
): FieldChange[] {
  const changes: FieldChange[] = [];
  walk(before ? comparable(before) : undefined, comparable(after), '', changes);
  if (after.kind === 'Secret') {
    for (const change of changes) {
      if (/^\.(data|stringData)\b/.test(change.path)) {
        if (change.before !== undefined) change.before = '(hidden)';
        if (change.after !== undefined) change.after = '(hidden)';
      }
    }
  }
  return changes;
}

function walk(before: unknown, after: unknown, path: string, changes: FieldChange[]): void {
  if (isObject(before) && isObject(after)) {
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      walk(before[key], after[key], `${path}.${key}`, changes);
    }
    return;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length) {
    before.forEach((item, index) => walk(item, after[index], `${path}[${index}]`, changes));
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) {
    const change: FieldChange = { path: path || '.' };
    if (before !== undefined) change.before = before;
    if (after !== undefined) change.after = after;
    changes.push(change);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

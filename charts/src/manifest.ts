// Rendered Kubernetes objects, read loosely: tests look fields up by path and assert on them.
import { parseAllDocuments } from 'yaml';

/** A rendered object. Fields are read with the helpers below, so tests state what they expect. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // Kubernetes object bodies are open-ended; tests narrow them with `field()`.
  [key: string]: unknown;
}

/**
 * Parses `helm template` output into objects (empty documents dropped). YAML 1.1, as the
 * API machinery reads it: `0555` is octal and an unquoted `no` is false there.
 */
export function parseManifests(text: string): Manifest[] {
  const objects: Manifest[] = [];
  for (const document of parseAllDocuments(text, { version: '1.1' })) {
    if (document.errors.length > 0) throw new Error(`invalid YAML: ${document.errors[0]?.message}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    const object = value as Manifest;
    if (typeof object.kind !== 'string' || typeof object.metadata?.name !== 'string') {
      throw new Error(`a rendered document is not a Kubernetes object: ${JSON.stringify(value)}`);
    }
    objects.push(object);
  }
  return objects;
}

/** Every object of a kind. */
export function ofKind(objects: Manifest[], kind: string): Manifest[] {
  return objects.filter((object) => object.kind === kind);
}

/** The single object of a kind (throws when there are none or several). */
export function onlyOfKind(objects: Manifest[], kind: string): Manifest {
  const found = ofKind(objects, kind);
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}, found ${found.length}`);
  }
  return found[0] as Manifest;
}

/** The value at a dotted path (`spec.template.spec.containers`), or undefined. */
export function field<T = unknown>(object: unknown, path: string): T | undefined {
  let current: unknown = object;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current as T | undefined;
}

/** True when every label of `selector` is on `labels` (a matchLabels selector). */
export function selects(
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!selector) return false;
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

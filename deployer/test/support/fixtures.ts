// Reads the recorded objects of test/fixtures (see fixtures/record-health-fixtures.sh).
import { readFileSync } from 'node:fs';
import type { KubernetesObject } from '@kubernetes/client-node';

/** A recorded object by file name (without .json), as a fresh copy a test may change. */
export function recorded<T extends KubernetesObject = KubernetesObject>(name: string): T {
  const url = new URL(`../fixtures/health/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as T;
}

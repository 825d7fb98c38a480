// Where a platform engineer reaches the platform after `shoal up`: the gateway's host (kind
// maps the host's port 80 to it, kind-config.yaml), its API docs, and the platform chart's UI
// Ingresses (jaeger.<host>, mail.<host>). Read from the values the releases are rendered with.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { deepMerge, isPlainObject } from '../platform-file/deep-merge.ts';
import type { Platform, Release } from '../platform-file/platform.ts';

/** A URL with what it is. */
export interface Endpoint {
  name: 'API' | 'API docs' | 'Jaeger UI' | 'Mailpit UI';
  url: string;
}

/** The chart's values.yaml, then the release's values files, then its inline values (helm's order). */
export function effectiveValues(release: Release): Record<string, unknown> {
  let values: Record<string, unknown> = {};
  for (const file of [join(release.chart, 'values.yaml'), ...release.valuesFiles]) {
    if (!existsSync(file)) continue;
    const parsed: unknown = parse(readFileSync(file, 'utf8'));
    if (isPlainObject(parsed)) values = deepMerge(values, parsed);
  }
  return deepMerge(values, release.values);
}

/** The platform's endpoints: the gateway's when a release uses the gateway chart, the UIs the platform chart exposes. */
export function platformEndpoints(platform: Platform): Endpoint[] {
  const endpoints: Endpoint[] = [];
  const gateway = platform.releases.find((release) => release.chart.endsWith('/gateway'));
  if (gateway) {
    const host = stringAt(effectiveValues(gateway), ['global', 'host']) ?? 'shoal.localtest.me';
    endpoints.push({ name: 'API', url: `http://${host}/api/` });
    endpoints.push({ name: 'API docs', url: `http://${host}/docs` });
  }
  const dependencies = platform.releases.find((release) => release.chart.endsWith('/platform'));
  if (dependencies) {
    const values = effectiveValues(dependencies);
    const host = stringAt(values, ['host']) ?? 'shoal.localtest.me';
    for (const [part, sub, name] of [
      ['jaeger', 'jaeger', 'Jaeger UI'],
      ['mailpit', 'mail', 'Mailpit UI'],
    ] as const) {
      const settings = values[part];
      if (isPlainObject(settings) && settings.enabled !== false && settings.ingress !== false) {
        endpoints.push({ name, url: `http://${sub}.${host}/` });
      }
    }
  }
  return endpoints;
}

function stringAt(values: Record<string, unknown>, path: string[]): string | undefined {
  let current: unknown = values;
  for (const key of path) current = isPlainObject(current) ? current[key] : undefined;
  return typeof current === 'string' && current !== '' ? current : undefined;
}

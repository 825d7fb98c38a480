// `helm template` of a chart into parsed objects, with named value scenarios.
import { runHelm } from './helm.ts';
import type { Manifest } from './manifest.ts';
import { parseManifests } from './manifest.ts';
import { chartDir } from './paths.ts';

/** How to render a chart. */
export interface RenderOptions {
  release?: string;
  namespace?: string;
  /** Values files, relative to the chart directory (e.g. values-production.yaml). */
  valuesFiles?: string[];
  /** `--set` pairs. */
  set?: Record<string, string | number | boolean>;
}

/** The helm arguments naming the values of a render. */
export function valueArgs(chart: string, options: RenderOptions): string[] {
  const args: string[] = [];
  for (const file of options.valuesFiles ?? []) args.push('-f', `${chartDir(chart)}/${file}`);
  for (const [key, value] of Object.entries(options.set ?? {})) {
    args.push(typeof value === 'string' ? '--set-string' : '--set', `${key}=${value}`);
  }
  return args;
}

/** Renders a chart (hooks and tests included) and parses every object. */
export async function renderChart(chart: string, options: RenderOptions = {}): Promise<Manifest[]> {
  const { stdout } = await runHelm([
    'template',
    options.release ?? chart,
    chartDir(chart),
    '--namespace',
    options.namespace ?? 'default',
    ...valueArgs(chart, options),
  ]);
  return parseManifests(stdout);
}

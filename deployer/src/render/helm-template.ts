// Renders one release with `helm template`: the chart, its values files, then the inline values
// (written to a private temporary file, since they may hold anything).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { CORE_SCHEMA, loadAll } from 'js-yaml';
import { ExitCode } from '../errors/exit-codes.ts';
import { ShoalError } from '../errors/shoal-error.ts';
import type { Release } from '../platform-file/platform.ts';

/** Renders a release's chart to objects (test hooks left out; `List`s flattened). */
export async function helmTemplate(helm: string, release: Release): Promise<KubernetesObject[]> {
  const directory = await mkdtemp(join(tmpdir(), 'shoal-values-'));
  try {
    const inlineValues = join(directory, 'values.json');
    await writeFile(inlineValues, JSON.stringify(release.values), { mode: 0o600 });
    const args = [
      'template',
      release.name,
      release.chart,
      '--namespace',
      release.namespace,
      '--skip-tests',
      ...release.valuesFiles.flatMap((file) => ['--values', file]),
      '--values',
      inlineValues,
    ];
    const stdout = await run(helm, args, release.name);
    return parseManifests(stdout, `helm template ${release.name}`);
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/** Parses multi-document YAML into objects, skipping empty documents and flattening Lists. */
export function parseManifests(text: string, source: string): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  let documents: unknown[];
  try {
    // js-yaml: several times faster than `yaml` on helm's output; the core schema keeps
    // dates and the like as strings, as the API server would read them.
    documents = loadAll(text, null, { schema: CORE_SCHEMA });
  } catch (error) {
    throw new ShoalError(
      `${source} produced invalid YAML: ${(error as Error).message.split('\n')[0] ?? ''}`,
      ExitCode.Tooling,
    );
  }
  for (const document of documents) {
    const value = document as (KubernetesObject & { items?: KubernetesObject[] }) | null;
    if (!value || typeof value !== 'object') continue;
    if (value.kind?.endsWith('List') && Array.isArray(value.items)) objects.push(...value.items);
    else objects.push(value);
  }
  for (const object of objects) {
    if (!object.apiVersion || !object.kind || !object.metadata?.name) {
      throw new ShoalError(
        `${source} rendered an object without apiVersion, kind or metadata.name: ${JSON.stringify(object).slice(0, 200)}`,
        ExitCode.Tooling,
      );
    }
  }
  return objects;
}

function run(helm: string, args: string[], release: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      helm,
      args,
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error) {
          // helm's last error line is the useful one ("Error: ... values don't meet the schema").
          const lines = stderr
            .split('\n')
            .filter((line) => line.trim() && !line.includes('found symbolic link'));
          const why = lines.at(-1) ?? error.message;
          reject(
            new ShoalError(
              `Rendering release ${release} with helm failed: ${why.trim()}`,
              ExitCode.Tooling,
            ),
          );
          return;
        }
        resolve(stdout);
      },
    );
  });
}

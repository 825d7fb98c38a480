// Reads and validates a platform file, then resolves it for one environment. Every problem is
// one sentence naming the file and the field ("shoal.yaml: releases[2].dependsOn[0]: ...").
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { usageError } from '../errors/shoal-error.ts';
import { deepMerge } from './deep-merge.ts';
import { DEFAULT_RELEASE_TIMEOUT_SECONDS, dependencyWaves, imageValues } from './platform.ts';
import type { Platform, Release } from './platform.ts';
import { platformFileSchema } from './schema.ts';
import type { PlatformFileSpec } from './schema.ts';

/** Options of loadPlatform. */
export interface LoadPlatformOptions {
  /** The environment overlay to apply (default: the file's defaultEnvironment, else none). */
  environment?: string | undefined;
  /** Puts every release in this namespace (the global --namespace). */
  namespace?: string | undefined;
}

/** Loads, validates and resolves a platform file; throws a usage ShoalError on any problem. */
export function loadPlatform(file: string, options: LoadPlatformOptions = {}): Platform {
  const path = resolve(file);
  if (!existsSync(path)) {
    throw usageError(
      `Platform file ${file} not found (pass --file, or run shoal where shoal.yaml is).`,
    );
  }
  return resolvePlatform(parsePlatformFile(readFileSync(path, 'utf8'), path), path, options);
}

/** Parses and validates the YAML text of a platform file. */
export function parsePlatformFile(text: string, file: string): PlatformFileSpec {
  const document = parseDocument(text, { prettyErrors: false });
  if (document.errors.length > 0) {
    const first = document.errors[0];
    throw usageError(`${file}: not valid YAML: ${first?.message.split('\n')[0] ?? 'parse error'}`);
  }
  const result = platformFileSchema.safeParse(document.toJS());
  if (!result.success) throw usageError(`${file}: ${describeIssue(result.error)}`);
  return result.data;
}

/** Resolves releases for an environment, checking names, dependencies and paths. */
export function resolvePlatform(
  spec: PlatformFileSpec,
  file: string,
  options: LoadPlatformOptions = {},
): Platform {
  const base = dirname(file);
  const environmentName = options.environment ?? spec.defaultEnvironment;
  const environment = environmentName ? spec.environments?.[environmentName] : undefined;
  if (environmentName && !environment) {
    const known = Object.keys(spec.environments ?? {});
    throw usageError(
      `${file}: no environment "${environmentName}" (known: ${known.join(', ') || 'none'}).`,
    );
  }
  const names = new Set<string>();
  spec.releases.forEach((release, index) => {
    if (names.has(release.name)) {
      throw usageError(`${file}: releases[${index}].name: "${release.name}" is listed twice.`);
    }
    names.add(release.name);
  });
  for (const overlayName of Object.keys(environment?.releases ?? {})) {
    if (!names.has(overlayName)) {
      throw usageError(
        `${file}: environments.${environmentName}.releases.${overlayName}: no release of that name.`,
      );
    }
  }
  const releases: Release[] = spec.releases.map((release, index) => {
    (release.dependsOn ?? []).forEach((dependency, position) => {
      if (!names.has(dependency) || dependency === release.name) {
        throw usageError(
          `${file}: releases[${index}].dependsOn[${position}]: "${dependency}" is not another release of this file.`,
        );
      }
    });
    const overlay = environment?.releases?.[release.name];
    const chart = resolve(base, release.chart);
    if (!existsSync(resolve(chart, 'Chart.yaml'))) {
      throw usageError(
        `${file}: releases[${index}].chart: ${chart} is not a chart directory (no Chart.yaml).`,
      );
    }
    const valuesFiles = [...(release.valuesFiles ?? []), ...(overlay?.valuesFiles ?? [])].map(
      (valuesFile) => resolve(base, valuesFile),
    );
    for (const valuesFile of valuesFiles) {
      if (!existsSync(valuesFile) || !statSync(valuesFile).isFile()) {
        throw usageError(`${file}: release ${release.name}: values file ${valuesFile} not found.`);
      }
    }
    let values: Record<string, unknown> = {};
    for (const layer of [
      environment?.values,
      release.values,
      imageValues(release.image),
      overlay?.values,
      imageValues(overlay?.image),
    ]) {
      if (layer) values = deepMerge(values, layer);
    }
    return {
      name: release.name,
      namespace:
        options.namespace ??
        overlay?.namespace ??
        environment?.namespace ??
        release.namespace ??
        spec.namespace,
      chart,
      valuesFiles,
      values,
      dependsOn: release.dependsOn ?? [],
      timeoutSeconds:
        overlay?.timeoutSeconds ?? release.timeoutSeconds ?? DEFAULT_RELEASE_TIMEOUT_SECONDS,
    };
  });
  try {
    dependencyWaves(releases);
  } catch (error) {
    throw usageError(`${file}: ${(error as Error).message}.`);
  }
  const namespace = options.namespace ?? environment?.namespace ?? spec.namespace;
  const secretNames = new Set<string>();
  const secrets = (spec.secrets ?? []).map((secret, index) => {
    for (const [key, source] of Object.entries(secret.data)) {
      if (!('template' in source)) continue;
      for (const [, reference] of source.template.matchAll(/\{\{\s*([^}\s]+)\s*\}\}/g)) {
        const [secretName] = (reference ?? '').split(/\.(?=[^.]+$)/);
        if (!secretName || !secretNames.has(secretName)) {
          throw usageError(
            `${file}: secrets[${index}].data.${key}: {{ ${reference ?? ''} }} must name a key of a Secret listed before it (<secret>.<key>).`,
          );
        }
      }
    }
    secretNames.add(secret.name);
    return { ...secret, namespace: options.namespace ?? secret.namespace ?? namespace };
  });
  const buildArgs = { ...environment?.build?.args };
  return { file, environment: environmentName, namespace, releases, secrets, buildArgs };
}

/** "releases[1].chart: expected string, received number" from zod's first issue. */
function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
  // A bad record key (a build argument's name) is reported by zod as "Invalid key in record";
  // the key schema's own message says what is wrong with it.
  const message =
    issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
  return `${path || '(top level)'}: ${message}`;
}

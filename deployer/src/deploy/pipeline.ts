// The deploy: prepare every selected release (render + plan, in parallel, so a conflict or a
// render error stops the deploy before anything changes), then roll out wave by wave:
// dependencies first, the releases of one wave in parallel. A failed wave stops later ones.
import type { KubeClients } from '../kube/clients.ts';
import { mapLimited } from '../kube/limit.ts';
import { dependencyWaves } from '../platform-file/platform.ts';
import type { Platform } from '../platform-file/platform.ts';
import { ensurePlatformSecrets } from './platform-secrets.ts';
import type { SecretOutcome } from './platform-secrets.ts';
import { prepareRelease } from './prepare.ts';
import type { PreparedRelease } from './prepare.ts';
import { isUnchanged, rollOut } from './rollout.ts';
import type { ReleaseResult, RolloutReporter } from './rollout.ts';

/** Options of a deploy (the flags of `shoal deploy`). */
export interface DeployOptions {
  /** Releases to deploy (empty: all). */
  releases: string[];
  helm: string;
  force: boolean;
  prune: boolean;
  rollback: boolean;
  /** Images by release name ("repo:tag"), overriding the platform file. */
  images: Record<string, string>;
  signal: AbortSignal;
  reporter: DeployReporter;
  /** How revisions of this deploy are described in history (default "deploy"). */
  description?: string;
}

/** Live progress of a deploy. */
export interface DeployReporter extends RolloutReporter {
  planned(prepared: PreparedRelease[]): void;
  secrets(outcomes: SecretOutcome[]): void;
  finished(result: ReleaseResult): void;
}

/** The deploy's result (the JSON output of `shoal deploy`). */
export interface DeployReport {
  ok: boolean;
  /** True when anything was applied or pruned. */
  changed: boolean;
  environment: string | undefined;
  /** The generated Secrets (names and what was done; never values). */
  secrets: SecretOutcome[];
  releases: ReleaseResult[];
}

/** Renders and plans the selected releases (no changes to the cluster). */
export async function prepareAll(
  kube: KubeClients,
  platform: Platform,
  options: Pick<DeployOptions, 'releases' | 'helm' | 'force' | 'prune' | 'images'>,
): Promise<PreparedRelease[]> {
  const selected = dependencyWaves(platform.releases, options.releases).flat();
  return mapLimited(selected, 4, (release) =>
    prepareRelease(kube, release, {
      helm: options.helm,
      force: options.force,
      prune: options.prune,
      image: options.images[release.name],
    }),
  );
}

/** Deploys the platform (or the named releases). */
export async function deployPlatform(
  kube: KubeClients,
  platform: Platform,
  options: DeployOptions,
): Promise<DeployReport> {
  const prepared = await prepareAll(kube, platform, options);
  options.reporter.planned(prepared);
  const secrets = await ensurePlatformSecrets(kube, platform);
  options.reporter.secrets(secrets);
  const byName = new Map(prepared.map((entry) => [entry.release.name, entry]));
  const rollOutOne = (entry: PreparedRelease): Promise<ReleaseResult> =>
    rollOut(kube, entry, {
      force: options.force,
      prune: options.prune,
      rollback: options.rollback,
      signal: options.signal,
      reporter: options.reporter,
      ...(options.description ? { description: options.description } : {}),
    });
  // Unchanged releases only get their health checked: that needs no ordering, so all of
  // them are checked at once (a no-op deploy then takes one round, not one per wave).
  const checks = new Map<string, Promise<ReleaseResult>>();
  for (const entry of prepared) {
    if (!isUnchanged(entry)) continue;
    const check = rollOutOne(entry);
    check.catch(() => undefined); // awaited in its wave; not an unhandled rejection before that
    checks.set(entry.release.name, check);
  }
  const results: ReleaseResult[] = [];
  let stopped = false;
  for (const wave of dependencyWaves(platform.releases, options.releases)) {
    if (stopped || options.signal.aborted) {
      for (const release of wave) {
        const check = checks.get(release.name);
        if (check) {
          const checked = await check;
          results.push(checked);
          options.reporter.finished(checked);
          continue;
        }
        const entry = byName.get(release.name);
        const skipped: ReleaseResult = {
          name: release.name,
          namespace: release.namespace,
          outcome: options.signal.aborted ? 'interrupted' : 'skipped',
          counts: { create: 0, update: 0, unchanged: 0, prune: 0 },
          changes: [],
          images: [],
          notes: [
            stopped
              ? 'not deployed: a release it may depend on failed'
              : 'not deployed: interrupted',
          ],
        };
        if (entry) skipped.counts = countsOf(entry);
        results.push(skipped);
        options.reporter.finished(skipped);
      }
      continue;
    }
    const waveResults = await Promise.all(
      wave.map(async (release) => {
        const entry = byName.get(release.name);
        if (!entry) throw new Error(`release ${release.name} was not prepared`);
        const result = await (checks.get(release.name) ?? rollOutOne(entry));
        options.reporter.finished(result);
        return result;
      }),
    );
    results.push(...waveResults);
    if (waveResults.some((result) => !isSuccess(result))) stopped = true;
  }
  return {
    ok: results.every(isSuccess),
    changed:
      results.some((result) => result.revision !== undefined) ||
      secrets.some((secret) => secret.action !== 'kept'),
    environment: platform.environment,
    secrets,
    releases: results,
  };
}

/** Deployed or unchanged (and healthy). */
export function isSuccess(result: ReleaseResult): boolean {
  return result.outcome === 'deployed' || result.outcome === 'unchanged';
}

function countsOf(entry: PreparedRelease): ReleaseResult['counts'] {
  const counts = { create: 0, update: 0, unchanged: 0, prune: 0 };
  for (const change of entry.plan.changes) counts[change.action] += 1;
  return counts;
}

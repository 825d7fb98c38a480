// The deploy: render and plan every selected release (in parallel), and roll out wave by
// wave: dependencies first, the releases of one wave in parallel. A failed wave stops later ones.
import type { KubeClients } from '../kube/clients.ts';
import { mapLimited } from '../kube/limit.ts';
import { dependencyWaves } from '../platform-file/platform.ts';
import type { Platform } from '../platform-file/platform.ts';
import { ensurePlatformSecrets } from './platform-secrets.ts';
import type { SecretOutcome } from './platform-secrets.ts';
import { EarlyLocks } from './early-locks.ts';
import { prepareRelease } from './prepare.ts';
import type { PreparedRelease } from './prepare.ts';
import { ensureNamespace, isUnchanged, rollOut } from './rollout.ts';
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
  const waves = dependencyWaves(platform.releases, options.releases);
  const rollOutOne = (
    entry: PreparedRelease,
    onHealthy?: () => void,
    lockHeld = false,
  ): Promise<ReleaseResult> =>
    rollOut(kube, entry, {
      lockHeld,
      force: options.force,
      prune: options.prune,
      rollback: options.rollback,
      signal: options.signal,
      reporter: options.reporter,
      ...(options.description ? { description: options.description } : {}),
      ...(onHealthy ? { onHealthy } : {}),
    });
  // Every release is rendered and planned at once (helm and the API server work in
  // parallel); a wave waits only for its own plans, so the first wave rolls out while later
  // ones are still being planned, and a later release's conflict or render error stops the
  // deploy before that wave. Unchanged releases only need their health checked, which needs
  // no ordering: that starts as soon as their plan is known.
  const started = new Map<
    string,
    Promise<{ entry: PreparedRelease; check?: Promise<ReleaseResult> }>
  >();
  const limit = concurrencyLimit(4);
  const locks = new EarlyLocks(kube);
  // The longest the waves before each release may take (each: its slowest rollout and rollback).
  const waitBefore = new Map<string, number>();
  let elapsedBound = 0;
  for (const wave of waves) {
    for (const release of wave) waitBefore.set(release.name, elapsedBound);
    elapsedBound += Math.max(...wave.map((release) => release.timeoutSeconds * 2));
  }
  for (const release of waves.flat()) {
    const preparation = limit(() =>
      prepareRelease(kube, release, {
        helm: options.helm,
        force: options.force,
        prune: options.prune,
        image: options.images[release.name],
      }),
    ).then((entry) => {
      options.reporter.planned([entry]);
      if (!isUnchanged(entry)) {
        if (!options.signal.aborted) locks.take(release, waitBefore.get(release.name) ?? 0);
        return { entry };
      }
      const check = rollOutOne(entry);
      check.catch(() => undefined); // awaited in its wave
      return { entry, check };
    });
    preparation.catch(() => undefined); // awaited in its wave
    started.set(release.name, preparation);
  }
  try {
    return await rollOutWaves();
  } finally {
    await locks.releaseUnused();
  }

  async function rollOutWaves(): Promise<DeployReport> {
    // Every namespace of the deploy exists and enforces Pod Security before anything goes in,
    // also on a deploy with nothing else to change (a namespace made before shoal labelled it).
    const namespaces = new Set(waves.flat().map((release) => release.namespace));
    await Promise.all([...namespaces].map((namespace) => ensureNamespace(kube, namespace)));
    const secrets = await ensurePlatformSecrets(kube, platform);
    options.reporter.secrets(secrets);
    // The next wave starts once every release of this one is healthy: recording that (the
    // revision marked deployed, the lock released) goes on meanwhile and is awaited at the end.
    const running: Promise<ReleaseResult>[] = [];
    let stopped = false;
    for (const wave of waves) {
      const prepared = await Promise.all(
        wave.map(
          (release) =>
            started.get(release.name) ??
            Promise.reject(new Error(`${release.name} was not prepared`)),
        ),
      );
      const gates = prepared.map((entry) => {
        let healthy!: () => void;
        const becameHealthy = new Promise<boolean>((resolve) => (healthy = () => resolve(true)));
        let outcome: Promise<ReleaseResult>;
        if (entry.check) outcome = entry.check;
        else if (stopped || options.signal.aborted)
          outcome = Promise.resolve(notDeployed(entry.entry, stopped));
        else if (!locks.has(entry.entry.release.name)) outcome = rollOutOne(entry.entry, healthy);
        else outcome = rollOutLocked(entry.entry, healthy);
        const finished = outcome.then((result) => {
          options.reporter.finished(result);
          return result;
        });
        running.push(finished);
        return Promise.race([becameHealthy, finished.then(isSuccess, () => false)]);
      });
      if ((await Promise.all(gates)).some((healthy) => !healthy)) stopped = true;
    }
    const results = await Promise.all(running);
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

  /** Rolls out a release whose lock was taken early, and releases the lock. */
  async function rollOutLocked(
    entry: PreparedRelease,
    onHealthy: () => void,
  ): Promise<ReleaseResult> {
    const unlock = await locks.held(entry.release.name);
    try {
      return await rollOutOne(entry, onHealthy, true);
    } finally {
      await unlock();
    }
  }
}

/** The result of a release left out because an earlier wave failed, or Ctrl-C. */
function notDeployed(entry: PreparedRelease, afterFailure: boolean): ReleaseResult {
  return {
    name: entry.release.name,
    namespace: entry.release.namespace,
    outcome: afterFailure ? 'skipped' : 'interrupted',
    counts: countsOf(entry),
    changes: [],
    images: [],
    notes: [
      afterFailure
        ? 'not deployed: a release it may depend on failed'
        : 'not deployed: interrupted',
    ],
  };
}

/** Runs at most `limit` of the given tasks at a time. */
function concurrencyLimit(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const queue: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => queue.push(resolve));
    running += 1;
    try {
      return await task();
    } finally {
      running -= 1;
      queue.shift()?.();
    }
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

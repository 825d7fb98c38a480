// One reconcile pass: a deploy of the platform that takes ownership of every field it renders
// (drift made with kubectl is overwritten, like Argo CD's self-heal), keeping the images the
// releases run. What it had to change is the drift, reported per object.
import type { KubeClients } from '../kube/clients.ts';
import { deployPlatform, isSuccess } from '../deploy/pipeline.ts';
import type { DeployReporter } from '../deploy/pipeline.ts';
import type { Platform } from '../platform-file/platform.ts';
import { ShoalError } from '../errors/shoal-error.ts';
import { describeKubeError } from '../errors/kube-error.ts';
import { deployedImages } from './deployed-images.ts';

/** An object a pass found different from what its release renders, and restored. */
export interface DriftEntry {
  release: string;
  /** create: it was missing; update: fields differed; prune: it is no longer rendered. */
  action: 'create' | 'update' | 'prune';
  kind: string;
  name: string;
  /** For updates: the paths that differed. */
  fields: string[];
}

/** What one pass did (a JSON line of `reconcile -o json`). */
export interface PassReport {
  time: string;
  ok: boolean;
  /** True when the pass changed anything. */
  changed: boolean;
  drift: DriftEntry[];
  releases: { name: string; outcome: string; health?: string; error?: string }[];
  durationMs: number;
  /** Why the pass could not run (cluster unreachable, helm failing, ...). */
  error?: string;
}

/** Options of a pass. */
export interface PassOptions {
  helm: string;
  releases: string[];
  prune: boolean;
  /** Keep the images releases run now (default in reconcile). */
  keepImages: boolean;
  signal: AbortSignal;
}

/** Runs one pass; a failure to run becomes the report's `error`, never a throw. */
export async function reconcilePass(
  kube: KubeClients,
  platform: Platform,
  options: PassOptions,
): Promise<PassReport> {
  const started = Date.now();
  const time = new Date(started).toISOString();
  try {
    const selected = platform.releases.filter(
      (release) => options.releases.length === 0 || options.releases.includes(release.name),
    );
    const images = options.keepImages ? await deployedImages(kube, selected) : {};
    const report = await deployPlatform(kube, platform, {
      releases: options.releases,
      helm: options.helm,
      force: true,
      prune: options.prune,
      rollback: true,
      images,
      signal: options.signal,
      reporter: silentReporter,
      description: 'reconcile',
    });
    // An update without a visible field (bookkeeping the server rewrote) is not drift.
    const drift: DriftEntry[] = report.releases.flatMap((result) =>
      result.changes
        .filter(
          (change) =>
            change.action !== 'unchanged' &&
            !(change.action === 'update' && (change.fields ?? []).length === 0),
        )
        .map((change) => ({
          release: result.name,
          action: change.action as DriftEntry['action'],
          kind: change.kind,
          name: change.name,
          fields: (change.fields ?? []).map((field) => field.path),
        })),
    );
    return {
      time,
      ok: report.ok,
      changed: report.changed,
      drift,
      releases: report.releases.map((result) => ({
        name: result.name,
        outcome: result.outcome,
        ...(result.health ? { health: result.health.status } : {}),
        ...(!isSuccess(result) && result.error ? { error: result.error } : {}),
      })),
      durationMs: Date.now() - started,
    };
  } catch (error) {
    const described = error instanceof ShoalError ? error : describeKubeError(error, 'reconcile');
    return {
      time,
      ok: false,
      changed: false,
      drift: [],
      releases: [],
      durationMs: Date.now() - started,
      error: described.message,
    };
  }
}

/** Lines for people: the drift restored, or that all is in sync. */
export function passLines(report: PassReport): string[] {
  const clock = report.time.slice(11, 19);
  if (report.error) return [`${clock} reconcile failed: ${report.error}`];
  const lines = report.drift.map((entry) => {
    const what =
      entry.action === 'create'
        ? 'was missing: recreated'
        : entry.action === 'prune'
          ? 'no longer rendered: deleted'
          : `had drifted: restored ${entry.fields.slice(0, 4).join(', ')}${entry.fields.length > 4 ? ', ...' : ''}`;
    return `${clock} drift: ${entry.release}: ${entry.kind}/${entry.name} ${what}`;
  });
  const failed = report.releases.filter((release) => release.error);
  for (const release of failed) {
    lines.push(`${clock} ${release.name}: ${release.outcome}: ${release.error ?? ''}`);
  }
  const seconds = (report.durationMs / 1000).toFixed(1);
  lines.push(
    report.ok
      ? report.drift.length > 0
        ? `${clock} reconciled: ${report.drift.length} object(s) restored, ${report.releases.length} release(s) healthy (${seconds}s)`
        : `${clock} in sync: ${report.releases.length} release(s) healthy, nothing changed (${seconds}s)`
      : `${clock} not converged: ${failed.map((release) => release.name).join(', ') || 'see above'} (${seconds}s)`,
  );
  return lines;
}

const silentReporter: DeployReporter = {
  planned: () => undefined,
  secrets: () => undefined,
  phase: () => undefined,
  progress: () => undefined,
  finished: () => undefined,
};

// Carries out a prepared release: record the revision as pending, apply what changed in
// dependency order (server-side apply), prune strays, wait until healthy, and on failure roll
// back to the last good revision. Every step leaves the cluster in a state the next deploy
// converges from (a Ctrl-C included).
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeClients } from '../kube/clients.ts';
import { mapLimited } from '../kube/limit.ts';
import { deleteObject, serverSideApply } from '../kube/server-side-apply.ts';
import { describeCounts, isNoop, planCounts } from '../plan/plan.ts';
import type { PlanAction, ReleasePlan } from '../plan/plan.ts';
import type { FieldChange } from '../plan/object-diff.ts';
import { applyGroups, applyTier, WORKLOAD_TIER } from '../render/apply-order.ts';
import { imagesOf, objectKey } from '../render/tracking.ts';
import { applyFingerprint } from '../plan/apply-fingerprint.ts';
import { lockRelease } from '../state/release-lock.ts';
import { RevisionStore } from '../state/revisions.ts';
import type { Revision } from '../state/revisions.ts';
import { ExitCode } from '../errors/exit-codes.ts';
import { ShoalError } from '../errors/shoal-error.ts';
import { applyInitialScales, initialScales } from './initial-scale.ts';
import { planObjects } from './prepare.ts';
import type { PreparedRelease } from './prepare.ts';
import { healthyNow, waitForRelease } from './wait-release.ts';
import type { Diagnosis, ReleaseProgress, WaitOutcome } from './wait-release.ts';

/** What became of a release in a deploy. */
export type ReleaseOutcome =
  'deployed' | 'unchanged' | 'failed' | 'rolled-back' | 'skipped' | 'interrupted';

/** One object's line in a result. */
export interface ChangeEntry {
  action: PlanAction;
  kind: string;
  name: string;
  namespace?: string | undefined;
  fields?: FieldChange[] | undefined;
}

/** The result of one release (the JSON output's `releases[]`). */
export interface ReleaseResult {
  name: string;
  namespace: string;
  outcome: ReleaseOutcome;
  /** The revision recorded by this deploy (none for unchanged / skipped). */
  revision?: number;
  counts: Record<PlanAction, number>;
  changes: ChangeEntry[];
  health?: { status: string; reason: string };
  /** Why it failed: failing pods and objects, with their recent warning events. */
  diagnosis?: Diagnosis[];
  error?: string;
  /** The automatic rollback after a failure. */
  rollback?: {
    toRevision: number;
    revision: number;
    ok: boolean;
    health: { status: string; reason: string };
  };
  images: string[];
  notes: string[];
}

/** Hooks for live progress. */
export interface RolloutReporter {
  phase(release: string, text: string): void;
  progress(progress: ReleaseProgress): void;
}

/** Options of a rollout. */
export interface RolloutOptions {
  force: boolean;
  prune: boolean;
  rollback: boolean;
  signal: AbortSignal;
  reporter: RolloutReporter;
  /** Revision description ("deploy", "rollback to 3"). */
  description?: string;
  /** Status given to the revision that was deployed before, when this one succeeds. */
  previousStatus?: 'superseded' | 'rolled-back';
  /** The release's lock is held already (the automatic rollback inside a deploy). */
  lockHeld?: boolean;
  /**
   * Told as soon as the release is healthy, before its revision is marked deployed and its
   * lock released: dependents may start then (that bookkeeping is not what they depend on).
   */
  onHealthy?: () => void;
}

/** Nothing to apply, and the history already says so: the last good revision is what we would record. */
export function isUnchanged(prepared: PreparedRelease): boolean {
  const lastGood = prepared.history.findLast((revision) => revision.status === 'deployed');
  return (
    isNoop(prepared.plan) &&
    lastGood !== undefined &&
    JSON.stringify(lastGood.manifests) === JSON.stringify(prepared.desired)
  );
}

/** Applies a prepared release and waits for it; rolls back on failure when asked. */
export async function rollOut(
  kube: KubeClients,
  prepared: PreparedRelease,
  options: RolloutOptions,
): Promise<ReleaseResult> {
  if (options.lockHeld || isUnchanged(prepared)) return rollOutLocked(kube, prepared, options);
  const { release } = prepared;
  await ensureNamespace(kube, release.namespace);
  // Held for a rollout and a rollback at most, plus a margin; released as soon as done.
  const unlock = await lockRelease(
    kube,
    release.name,
    release.namespace,
    release.timeoutSeconds * 2 + 120,
  );
  try {
    return await rollOutLocked(kube, prepared, { ...options, lockHeld: true });
  } finally {
    await unlock();
  }
}

async function rollOutLocked(
  kube: KubeClients,
  prepared: PreparedRelease,
  options: RolloutOptions,
): Promise<ReleaseResult> {
  const { release, plan } = prepared;
  const result: ReleaseResult = {
    name: release.name,
    namespace: release.namespace,
    outcome: 'unchanged',
    counts: planCounts(plan),
    changes: changeEntries(plan),
    images: imagesOf(prepared.desired),
    notes: prepared.notes,
  };
  const store = new RevisionStore(kube);
  const lastGood = prepared.history.findLast((revision) => revision.status === 'deployed');
  const noop = isUnchanged(prepared);
  let revision: Revision | undefined;
  const stopWaiting = new AbortController();
  const waitUntilHealthy = (early?: {
    applied: Promise<unknown>;
    minGenerations: ReadonlyMap<string, number>;
  }): Promise<WaitOutcome> =>
    waitForRelease({
      kube,
      release: release.name,
      namespace: release.namespace,
      desired: prepared.desired,
      timeoutMs: release.timeoutSeconds * 1000,
      signal: AbortSignal.any([options.signal, stopWaiting.signal]),
      onProgress: (progress) => options.reporter.progress(progress),
      ...(early ?? {}),
    });
  let waiting: Promise<WaitOutcome> | undefined;
  if (!noop) {
    options.reporter.phase(release.name, `applying: ${describeCounts(result.counts)}`);
    if (options.signal.aborted) throw new ShoalError('Interrupted.', ExitCode.Interrupted);
    await ensureNamespace(kube, release.namespace);
    // The pending revision is written while the objects are applied (one round trip less);
    // both are done before anything waits, so an interrupted deploy always leaves its record.
    const recording = store.record(
      {
        release: release.name,
        namespace: release.namespace,
        status: 'pending',
        time: new Date().toISOString(),
        chart: release.chart,
        valuesFiles: release.valuesFiles,
        values: release.values,
        images: result.images,
        description: options.description ?? 'deploy',
        manifests: prepared.desired,
      },
      10,
      prepared.history,
    );
    const applying = applyPlan(kube, plan, options);
    applying.catch(() => undefined); // handled below, once the record is written
    if (createsOnly(plan)) {
      // Nothing of the release exists yet, so its watches can list and subscribe while it is
      // applied (no object can look healthy before it is there): no list after the apply.
      waiting = waitUntilHealthy({ applied: applying, minGenerations: scaledGenerations(plan) });
      waiting.catch(() => undefined); // awaited below
    }
    try {
      revision = await recording;
    } catch (error) {
      stopWaiting.abort();
      throw error;
    }
    result.revision = revision.revision;
    try {
      const applied = await applying;
      // What shoal owns on each object now: the next plan skips dry-runs where it still holds.
      const fingerprints: Record<string, string> = {};
      for (const object of prepared.desired) {
        const key = objectKey(object);
        const fingerprint = applied.get(key) ?? applyFingerprint(prepared.live.get(key));
        if (fingerprint) fingerprints[key] = fingerprint;
      }
      revision = { ...revision, fingerprints };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const interrupted = error instanceof ShoalError && error.exitCode === ExitCode.Interrupted;
      await store
        .setStatus(revision, 'failed', interrupted ? 'interrupted' : message)
        .catch(() => undefined);
      if (error instanceof ShoalError && error.exitCode === ExitCode.Conflict) throw error; // a conflict: nothing to roll back to yet
      if (interrupted) {
        // Left as applied so far: the next deploy plans against it and converges.
        result.outcome = 'interrupted';
        result.error = 'interrupted while applying';
        return result;
      }
      result.outcome = 'failed';
      result.error = message;
      return rollBackIfAsked(kube, prepared, result, lastGood, options);
    }
  }
  if (noop) {
    const health = await healthyNow(
      kube,
      release.name,
      release.namespace,
      prepared.desired,
      prepared.live,
    );
    if (health) {
      result.health = { status: health.status, reason: health.reason };
      options.onHealthy?.();
      return result;
    }
  }
  options.reporter.phase(
    release.name,
    noop ? 'unchanged; checking health' : 'waiting until healthy',
  );
  const outcome = await (waiting ?? waitUntilHealthy());
  result.health = { status: outcome.health.status, reason: outcome.health.reason };
  if (outcome.ok) {
    options.onHealthy?.();
    if (revision) {
      await markDeployed(store, revision, options.previousStatus ?? 'superseded');
      result.outcome = 'deployed';
    }
    return result;
  }
  result.diagnosis = outcome.diagnosis;
  result.error = outcome.summary;
  if (outcome.cause === 'interrupted') {
    result.outcome = 'interrupted';
    if (revision) await store.setStatus(revision, 'failed', 'interrupted').catch(() => undefined);
    return result;
  }
  result.outcome = 'failed';
  if (revision) await store.setStatus(revision, 'failed', outcome.summary);
  if (noop) return result; // nothing changed: nothing to roll back
  return rollBackIfAsked(kube, prepared, result, lastGood, options);
}

/** Rolls a failed release back to `lastGood` (re-applied as a new revision) when asked. */
async function rollBackIfAsked(
  kube: KubeClients,
  prepared: PreparedRelease,
  result: ReleaseResult,
  lastGood: Revision | undefined,
  options: RolloutOptions,
): Promise<ReleaseResult> {
  if (!options.rollback || options.signal.aborted) return result;
  if (!lastGood) {
    result.notes.push('no earlier good revision to roll back to');
    return result;
  }
  options.reporter.phase(
    prepared.release.name,
    `failed; rolling back to revision ${lastGood.revision}`,
  );
  const back = await planObjects(
    kube,
    prepared.release,
    lastGood.manifests,
    prepared.overrides,
    await new RevisionStore(kube).list(prepared.release.name, prepared.release.namespace),
    { force: true, prune: true },
  );
  // The rollback's health says nothing good about this deploy: dependents are not told.
  const { onHealthy: _notForRollbacks, ...rollbackOptions } = options;
  const rolled = await rollOut(kube, back, {
    ...rollbackOptions,
    force: true,
    prune: true,
    rollback: false,
    description: `rollback to ${lastGood.revision}`,
  });
  result.rollback = {
    toRevision: lastGood.revision,
    revision: rolled.revision ?? lastGood.revision,
    ok: rolled.outcome === 'deployed' || rolled.outcome === 'unchanged',
    health: rolled.health ?? { status: 'Unknown', reason: rolled.error ?? '' },
  };
  if (result.rollback.ok) result.outcome = 'rolled-back';
  return result;
}

/** True when the plan only creates objects (and changes or prunes nothing that is there). */
function createsOnly(plan: ReleasePlan): boolean {
  return plan.changes.every(
    (change) => change.action === 'create' || change.action === 'unchanged',
  );
}

/**
 * The generation each workload scaled right after its create reaches (create 1, scale 2): its
 * health is judged only from a copy that has seen the scale.
 */
function scaledGenerations(plan: ReleasePlan): Map<string, number> {
  return new Map(
    initialScales(plan).map((scale) => [
      objectKey({
        apiVersion: 'apps/v1',
        kind: scale.kind,
        metadata: { name: scale.name, namespace: scale.namespace },
      }),
      2,
    ]),
  );
}

/** Applies creates and updates group by group (kinds in install order), then prunes. */
async function applyPlan(
  kube: KubeClients,
  plan: ReleasePlan,
  options: RolloutOptions,
): Promise<Map<string, string>> {
  const fingerprints = new Map<string, string>();
  const toApply = plan.changes.filter(
    (change) => change.action === 'create' || change.action === 'update',
  );
  // The initial scales go out as soon as the workloads exist, alongside the tier after them
  // (autoscalers, routes): one round trip less than after every tier.
  const scales = initialScales(plan);
  let scaling: Promise<void> | undefined;
  for (const group of applyGroups(toApply.map((change) => change.object))) {
    if (options.signal.aborted)
      throw new ShoalError('interrupted before every object was applied', ExitCode.Interrupted);
    if (!scaling && scales.length > 0 && applyTier(group[0]?.kind) > WORKLOAD_TIER) {
      scaling = applyInitialScales(kube, scales);
      scaling.catch(() => undefined); // awaited below
    }
    await mapLimited(group, 8, async (object) => {
      const applied = await serverSideApply(kube, object, { force: options.force });
      const fingerprint = applyFingerprint(applied);
      if (fingerprint) fingerprints.set(objectKey(object), fingerprint);
    });
  }
  await (scaling ?? applyInitialScales(kube, scales));
  const strays = plan.changes
    .filter((change) => change.action === 'prune')
    .map((change) => change.object);
  // Reverse install order: routes and autoscalers go before the workloads they point at.
  for (const group of applyGroups(strays).reverse()) {
    await mapLimited(group, 8, (object) => deleteObject(kube, object));
  }
  return fingerprints;
}

/** Marks a revision deployed; the one deployed before becomes superseded (or rolled-back). */
async function markDeployed(
  store: RevisionStore,
  revision: Revision,
  previousStatus: 'superseded' | 'rolled-back',
): Promise<void> {
  // setStatus supersedes the revision deployed before by itself; only a rollback needs to
  // know which one that was (one round trip less on every deploy).
  const before =
    previousStatus === 'rolled-back'
      ? (await store.list(revision.release, revision.namespace)).filter(
          (entry) => entry.status === 'deployed' && entry.revision !== revision.revision,
        )
      : [];
  await store.setStatus(revision, 'deployed');
  for (const entry of before) await store.setStatus(entry, 'rolled-back');
}

/** The label by which a namespace tells the API server which Pod Security level to enforce. */
export const POD_SECURITY_ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

/**
 * The level the platform's namespaces enforce: every chart's pods run non-root, read-only,
 * without capabilities or privilege escalation, under RuntimeDefault seccomp (`restricted`),
 * so the API server refuses any pod that does not.
 */
export const POD_SECURITY_LEVEL = 'restricted';

/**
 * Makes sure the namespace exists and enforces Pod Security (server-side apply, never pruned):
 * a missing namespace is created with `pod-security.kubernetes.io/enforce=restricted`, an
 * existing one without any enforce label gets it; a level someone set already is theirs.
 */
export async function ensureNamespace(kube: KubeClients, namespace: string): Promise<void> {
  const known = knownNamespaces.get(kube) ?? new Set<string>();
  knownNamespaces.set(kube, known);
  if (known.has(namespace)) return;
  const object: KubernetesObject = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace, labels: { [POD_SECURITY_ENFORCE_LABEL]: POD_SECURITY_LEVEL } },
  };
  let enforced: string | undefined;
  try {
    const live = await kube.core.readNamespace({ name: namespace });
    enforced = live.metadata?.labels?.[POD_SECURITY_ENFORCE_LABEL];
  } catch {
    // Missing (or not readable): the apply below creates it, or says why it cannot.
  }
  if (enforced === undefined) await serverSideApply(kube, object, {});
  known.add(namespace);
}

/** Namespaces seen to exist, per set of clients (one run): asked once, not per release. */
const knownNamespaces = new WeakMap<KubeClients, Set<string>>();

function changeEntries(plan: ReleasePlan): ChangeEntry[] {
  return plan.changes.map((change) => ({
    action: change.action,
    kind: change.kind,
    name: change.name,
    namespace: change.namespace,
    ...(change.action === 'update' ? { fields: change.fields } : {}),
  }));
}

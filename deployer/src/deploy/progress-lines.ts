// Deploy progress as plain lines (not a terminal: CI logs, pipes): one line per change of
// what a release waits for, and per pod whose state changes; nothing repeated.
import { describeCounts, planCounts } from '../plan/plan.ts';
import type { DeployReporter } from './pipeline.ts';
import type { SecretOutcome } from './platform-secrets.ts';
import type { PreparedRelease } from './prepare.ts';
import type { ReleaseResult } from './rollout.ts';
import type { ReleaseProgress } from './wait-release.ts';

/** A reporter that writes plain lines through `write`. */
export function lineReporter(write: (line: string) => void): DeployReporter {
  const lastWaiting = new Map<string, string>();
  const lastPod = new Map<string, string>();
  return {
    planned(prepared: PreparedRelease[]): void {
      for (const entry of prepared) {
        write(`${entry.release.name}: plan: ${describeCounts(planCounts(entry.plan))}`);
        for (const note of entry.notes) write(`${entry.release.name}: ${note}`);
      }
    },
    secrets(outcomes: SecretOutcome[]): void {
      for (const line of secretLines(outcomes)) write(line);
    },
    phase(release: string, text: string): void {
      write(`${release}: ${text}`);
    },
    progress(progress: ReleaseProgress): void {
      const waiting =
        progress.health.status === 'Healthy' ? 'healthy' : `waiting for ${progress.health.reason}`;
      if (lastWaiting.get(progress.release) !== waiting) {
        lastWaiting.set(progress.release, waiting);
        write(`${progress.release}: ${waiting}`);
      }
      for (const pod of progress.pods) {
        const state = pod.ready ? 'ready' : `${pod.phase}${pod.reason ? `: ${pod.reason}` : ''}`;
        const key = `${progress.release}/${pod.name}`;
        if (lastPod.get(key) !== state) {
          lastPod.set(key, state);
          write(`${progress.release}: pod ${pod.name} ${state}`);
        }
      }
    },
    finished(result: ReleaseResult): void {
      for (const line of resultLines(result)) write(line);
    },
  };
}

/** One line per generated Secret made or completed now (kept ones are not news). */
export function secretLines(outcomes: SecretOutcome[]): string[] {
  return outcomes
    .filter((outcome) => outcome.action !== 'kept')
    .map((outcome) => `secrets: ${outcome.action} ${outcome.namespace}/${outcome.name}`);
}

/** The lines that close a release's progress: its outcome, diagnosis and rollback. */
export function resultLines(result: ReleaseResult): string[] {
  const name = result.name;
  const lines: string[] = [];
  switch (result.outcome) {
    case 'deployed':
      lines.push(
        `${name}: deployed revision ${result.revision ?? '?'} (${result.health?.reason ?? 'healthy'})`,
      );
      break;
    case 'unchanged':
      lines.push(`${name}: unchanged, healthy`);
      break;
    case 'skipped':
    case 'interrupted':
      lines.push(`${name}: ${result.outcome}${result.notes[0] ? ` (${result.notes.at(-1)})` : ''}`);
      break;
    default:
      lines.push(`${name}: FAILED: ${result.error ?? result.health?.reason ?? 'unknown'}`);
  }
  for (const diagnosis of result.diagnosis ?? []) {
    lines.push(`${name}:   ${diagnosis.object}: ${diagnosis.reason}`);
    for (const event of diagnosis.events) lines.push(`${name}:     event ${event}`);
  }
  if (result.rollback) {
    lines.push(
      result.rollback.ok
        ? `${name}: rolled back to revision ${result.rollback.toRevision} (recorded as revision ${result.rollback.revision}), healthy`
        : `${name}: rollback to revision ${result.rollback.toRevision} failed too: ${result.rollback.health.reason}`,
    );
  } else if (result.outcome === 'failed') {
    for (const note of result.notes) lines.push(`${name}: ${note}`);
  }
  return lines;
}

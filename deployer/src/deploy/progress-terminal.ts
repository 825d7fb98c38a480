// Deploy progress in a terminal: a live block, one section per release (its phase, what it
// waits for, its pods and their reasons), redrawn in place at most ten times a second.
// Finished releases print their result lines above the block and leave it.
import { describeCounts, planCounts } from '../plan/plan.ts';
import type { DeployReporter } from './pipeline.ts';
import type { PreparedRelease } from './prepare.ts';
import type { SecretOutcome } from './platform-secrets.ts';
import { resultLines, secretLines } from './progress-lines.ts';
import type { ReleaseResult } from './rollout.ts';
import type { ReleaseProgress } from './wait-release.ts';

interface Section {
  phase: string;
  waiting: string;
  pods: string[];
}

const CLEAR_BELOW = '\u001b[0J';
const up = (lines: number): string => (lines > 0 ? `\u001b[${lines}A\r` : '\r');

/** A reporter that redraws a block on a terminal through `write`. */
export function terminalReporter(
  write: (text: string) => void,
  columns = 100,
): DeployReporter & { close(): void } {
  // A pseudo-terminal may report 0 columns: then assume a usual width.
  const width = columns >= 20 ? columns : 100;
  const sections = new Map<string, Section>();
  let drawn = 0;
  let timer: NodeJS.Timeout | undefined;
  const clip = (line: string): string =>
    line.length > width - 1 ? `${line.slice(0, width - 2)}…` : line;
  const render = (): void => {
    timer = undefined;
    const lines: string[] = [];
    for (const [name, section] of sections) {
      lines.push(
        clip(`● ${name}: ${section.phase}${section.waiting ? ` — ${section.waiting}` : ''}`),
      );
      for (const pod of section.pods.slice(0, 6)) lines.push(clip(`    ${pod}`));
      if (section.pods.length > 6) lines.push(`    … ${section.pods.length - 6} more pods`);
    }
    write(`${up(drawn)}${CLEAR_BELOW}${lines.map((line) => `${line}\n`).join('')}`);
    drawn = lines.length;
  };
  const schedule = (): void => {
    timer ??= setTimeout(render, 100);
  };
  const section = (name: string): Section => {
    let entry = sections.get(name);
    if (!entry) {
      entry = { phase: 'queued', waiting: '', pods: [] };
      sections.set(name, entry);
    }
    return entry;
  };
  /** Prints permanent lines above the live block. */
  const printAbove = (lines: string[]): void => {
    write(`${up(drawn)}${CLEAR_BELOW}${lines.map((line) => `${line}\n`).join('')}`);
    drawn = 0;
    render();
  };
  return {
    planned(prepared: PreparedRelease[]): void {
      printAbove(
        prepared.map(
          (entry) => `${entry.release.name}: plan: ${describeCounts(planCounts(entry.plan))}`,
        ),
      );
      for (const entry of prepared) section(entry.release.name);
      schedule();
    },
    secrets(outcomes: SecretOutcome[]): void {
      const lines = secretLines(outcomes);
      if (lines.length > 0) printAbove(lines);
    },
    phase(release: string, text: string): void {
      section(release).phase = text;
      schedule();
    },
    progress(progress: ReleaseProgress): void {
      const entry = section(progress.release);
      entry.waiting = progress.health.status === 'Healthy' ? 'healthy' : progress.health.reason;
      entry.pods = progress.pods.map(
        (pod) =>
          `${pod.ready ? '✓' : '…'} ${pod.name} ${pod.ready ? 'ready' : `${pod.phase}${pod.reason ? `: ${pod.reason}` : ''}`}${pod.restarts ? ` (${pod.restarts} restarts)` : ''}`,
      );
      schedule();
    },
    finished(result: ReleaseResult): void {
      sections.delete(result.name);
      printAbove(resultLines(result));
    },
    close(): void {
      if (timer) clearTimeout(timer);
      timer = undefined;
      write(`${up(drawn)}${CLEAR_BELOW}`);
      drawn = 0;
    },
  };
}

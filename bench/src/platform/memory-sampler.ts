// Resident memory of every platform process over the run, read from /proc/<pid>/status, and
// its trend: a least-squares slope over the second half (after warm-up and JIT settle).
import { readFileSync } from 'node:fs';

/** One process to watch, by a readable name. */
export interface WatchedProcess {
  readonly name: string;
  readonly pid: number;
}

/** One process's memory over the run. */
export interface MemorySummary {
  readonly name: string;
  readonly startMb: number;
  readonly endMb: number;
  readonly peakMb: number;
  /** MB per minute over the second half of the samples (NaN with fewer than two). */
  readonly slopeMbPerMin: number;
}

/** VmRSS of `pid` in MB, or undefined when the process is gone. */
export function rssMb(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match?.[1] === undefined ? undefined : Number(match[1]) / 1024;
  } catch {
    return undefined;
  }
}

/** Least-squares slope of y over x (NaN with fewer than two distinct x). */
export function leastSquaresSlope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const p of points) {
    covariance += (p.x - meanX) * (p.y - meanY);
    variance += (p.x - meanX) ** 2;
  }
  return variance === 0 ? Number.NaN : covariance / variance;
}

/** Samples every process's RSS every `intervalMs` until stop(). */
export class MemorySampler {
  readonly #processes: readonly WatchedProcess[];
  readonly #samples = new Map<string, { minutes: number; mb: number }[]>();
  readonly #startedAt = performance.now();
  readonly #timer: NodeJS.Timeout;

  constructor(processes: readonly WatchedProcess[], intervalMs: number) {
    this.#processes = processes;
    this.sample();
    this.#timer = setInterval(() => this.sample(), intervalMs);
  }

  /** Takes one sample of every process now. */
  sample(): void {
    const minutes = (performance.now() - this.#startedAt) / 60_000;
    for (const { name, pid } of this.#processes) {
      const mb = rssMb(pid);
      if (mb === undefined) continue;
      const list = this.#samples.get(name) ?? [];
      list.push({ minutes, mb });
      this.#samples.set(name, list);
    }
  }

  /** Stops sampling (after one last sample) and summarises every process. */
  stop(): MemorySummary[] {
    clearInterval(this.#timer);
    this.sample();
    const runMinutes = (performance.now() - this.#startedAt) / 60_000;
    return this.#processes.map(({ name }) => {
      const list = this.#samples.get(name) ?? [];
      const secondHalf = list.filter((s) => s.minutes >= runMinutes / 2);
      return {
        name,
        startMb: list[0]?.mb ?? Number.NaN,
        endMb: list.at(-1)?.mb ?? Number.NaN,
        peakMb: Math.max(...list.map((s) => s.mb)),
        slopeMbPerMin: leastSquaresSlope(secondHalf.map((s) => ({ x: s.minutes, y: s.mb }))),
      };
    });
  }
}

// Per-route latencies and errors of the soak, summarised as count, error rate, p50 and p99.

/** One route's summary. */
export interface RouteSummary {
  readonly route: string;
  readonly count: number;
  readonly errors: number;
  /** 409s of concurrent writes to one profile: the documented answer, not an error. */
  readonly conflicts: number;
  readonly errorRate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** Nearest-rank percentile of sorted values (0 when there are none). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? 0;
}

/** Collects every request's latency (ms) and outcome per route; the run is small enough to keep them all. */
export class LatencyRecorder {
  readonly #latencies = new Map<string, number[]>();
  readonly #errors = new Map<string, number>();
  readonly #conflicts = new Map<string, number>();
  /** The first few error descriptions per route, to say what went wrong. */
  readonly samples = new Map<string, string[]>();

  /** Records one request of `route`: its latency and, if it failed, why. */
  record(route: string, latencyMs: number, error?: string): void {
    const list = this.#latencies.get(route) ?? [];
    list.push(latencyMs);
    this.#latencies.set(route, list);
    if (error === undefined) return;
    this.#errors.set(route, (this.#errors.get(route) ?? 0) + 1);
    const samples = this.samples.get(route) ?? [];
    if (samples.length < 3) samples.push(error);
    this.samples.set(route, samples);
  }

  /** Records one request of `route` that ended in an expected conflict (409). */
  recordConflict(route: string, latencyMs: number): void {
    const list = this.#latencies.get(route) ?? [];
    list.push(latencyMs);
    this.#latencies.set(route, list);
    this.#conflicts.set(route, (this.#conflicts.get(route) ?? 0) + 1);
  }

  /** Every route's summary, by route name. */
  summaries(): RouteSummary[] {
    return [...this.#latencies.keys()].sort().map((route) => {
      const sorted = [...(this.#latencies.get(route) ?? [])].sort((a, b) => a - b);
      const errors = this.#errors.get(route) ?? 0;
      return {
        route,
        count: sorted.length,
        errors,
        conflicts: this.#conflicts.get(route) ?? 0,
        errorRate: sorted.length === 0 ? 0 : errors / sorted.length,
        p50Ms: percentile(sorted, 50),
        p99Ms: percentile(sorted, 99),
      };
    });
  }
}

import type pg from 'pg';

/**
 * Notes when each awaited event's fact becomes visible to a reader of the report database
 * (facts and rollups commit together, so a visible fact is a visible report row). Polls
 * every `intervalMs`: that is the resolution of the latencies it reports.
 */
export class FactWatcher {
  readonly #pool: pg.Pool;
  readonly #sentAt = new Map<string, number>();
  readonly latenciesMs: number[] = [];
  #timer: NodeJS.Timeout | undefined;
  #polling = false;

  constructor(pool: pg.Pool, intervalMs = 5) {
    this.#pool = pool;
    this.#timer = setInterval(() => void this.#poll(), intervalMs);
  }

  /** Starts waiting for `eventId`, enqueued at `sentAtMs` (performance.now()). */
  expect(eventId: string, sentAtMs: number): void {
    this.#sentAt.set(eventId, sentAtMs);
  }

  /** Resolves once every expected event is visible. */
  async drained(): Promise<void> {
    while (this.#sentAt.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #poll(): Promise<void> {
    if (this.#polling || this.#sentAt.size === 0) return;
    this.#polling = true;
    try {
      const { rows } = await this.#pool.query<{ event_id: string }>(
        'SELECT event_id FROM event_facts WHERE event_id = ANY($1)',
        [[...this.#sentAt.keys()]],
      );
      const now = performance.now();
      for (const { event_id: id } of rows) {
        const sentAt = this.#sentAt.get(id);
        if (sentAt === undefined) continue;
        this.latenciesMs.push(now - sentAt);
        this.#sentAt.delete(id);
      }
    } finally {
      this.#polling = false;
    }
  }
}

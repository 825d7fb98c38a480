import type { EventFact } from '../domain/event-fact.ts';
import type { ReportStore } from '../domain/report-store.ts';

interface Pending {
  readonly fact: EventFact;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

export interface FactBatcherOptions {
  /** Most facts in one transaction. */
  readonly maxBatch: number;
  /** Transactions in flight at once; facts arriving meanwhile wait and batch up. */
  readonly maxInFlight: number;
  /** Errors worth retrying the same batch for (the database away), not per-fact failures. */
  readonly isTransient?: (error: unknown) => boolean;
  /** Pause before retry number `attempt` (1, 2, ...) of a batch that failed transiently. */
  readonly retryDelayMs?: (attempt: number) => number;
  /** Told about each transient failure (logging). */
  readonly onTransientFailure?: (error: unknown, attempt: number, facts: number) => void;
}

/**
 * Gathers the facts of messages handled at the same moment (one SQS receive hands out up to
 * ten at once) and records them in one transaction: far fewer commits under load. Each
 * caller's promise settles with its own fact's outcome.
 *
 * While the database is away (a transient error), the batch is retried with backoff and its
 * callers simply wait: their messages stay invisible on SQS (the consumer renews visibility
 * while a handler runs), so an outage spends no receive counts and sends nothing to the DLQ.
 * Any other failure of a shared transaction retries its facts one transaction each, so one
 * fact the database refuses cannot hold back the others.
 */
export class FactBatcher {
  readonly #store: ReportStore;
  readonly #options: FactBatcherOptions;
  readonly #pending: Pending[] = [];
  #inFlight = 0;
  #scheduled = false;
  #closed = false;
  readonly #wakeSleepers = new Set<() => void>();

  constructor(store: ReportStore, options: FactBatcherOptions) {
    this.#store = store;
    this.#options = options;
  }

  /** Resolves once the fact is recorded (or was already); rejects if it could not be. */
  add(fact: EventFact): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      this.#pending.push({ fact, resolve, reject });
    });
    // Wait for the rest of this tick: the other messages of the same receive join the batch.
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.#drain();
      });
    }
    return done;
  }

  /**
   * Stops retrying: batches waiting out an outage fail at once (their messages go back to the
   * queue for a later delivery). Writes that can proceed still do.
   */
  close(): void {
    this.#closed = true;
    for (const wake of this.#wakeSleepers) wake();
  }

  #drain(): void {
    while (this.#inFlight < this.#options.maxInFlight && this.#pending.length > 0) {
      const batch = this.#pending.splice(0, this.#options.maxBatch);
      this.#inFlight += 1;
      void this.#write(batch).finally(() => {
        this.#inFlight -= 1;
        this.#drain();
      });
    }
  }

  async #write(batch: Pending[]): Promise<void> {
    const facts = batch.map((pending) => pending.fact);
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.#store.record(facts);
        for (const pending of batch) pending.resolve();
        return;
      } catch (error) {
        if (this.#options.isTransient?.(error) !== true) {
          if (batch.length === 1) {
            batch[0]?.reject(error as Error);
            return;
          }
          break;
        }
        this.#options.onTransientFailure?.(error, attempt, facts.length);
        if (this.#closed || !(await this.#sleep(this.#options.retryDelayMs?.(attempt) ?? 1000))) {
          for (const pending of batch) pending.reject(error as Error);
          return;
        }
      }
    }
    for (const pending of batch) {
      try {
        await this.#store.record([pending.fact]);
        pending.resolve();
      } catch (error) {
        pending.reject(error as Error);
      }
    }
  }

  /** Sleeps `ms`; resolves false when close() cut it short. */
  #sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#wakeSleepers.delete(wake);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.#wakeSleepers.delete(wake);
        resolve(!this.#closed);
      }, ms);
      this.#wakeSleepers.add(wake);
    });
  }
}

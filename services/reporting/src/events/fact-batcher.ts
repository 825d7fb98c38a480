import type { EventFact } from '../domain/event-fact.ts';
import type { ReportStore } from '../domain/report-store.ts';

interface Pending {
  readonly fact: EventFact;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Gathers the facts of messages handled at the same moment (one SQS receive hands out up to
 * ten at once) and records them in one transaction: far fewer commits under load. Each
 * caller's promise settles with its own fact's outcome. When a shared transaction fails, its
 * facts are retried one transaction each, so one fact the database refuses cannot hold back
 * the others.
 */
export class FactBatcher {
  readonly #store: ReportStore;
  readonly #maxBatch: number;
  readonly #maxInFlight: number;
  readonly #pending: Pending[] = [];
  #inFlight = 0;
  #scheduled = false;

  constructor(store: ReportStore, options: { maxBatch: number; maxInFlight: number }) {
    this.#store = store;
    this.#maxBatch = options.maxBatch;
    this.#maxInFlight = options.maxInFlight;
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

  #drain(): void {
    while (this.#inFlight < this.#maxInFlight && this.#pending.length > 0) {
      const batch = this.#pending.splice(0, this.#maxBatch);
      this.#inFlight += 1;
      void this.#write(batch).finally(() => {
        this.#inFlight -= 1;
        this.#drain();
      });
    }
  }

  async #write(batch: Pending[]): Promise<void> {
    try {
      await this.#store.record(batch.map((pending) => pending.fact));
      for (const pending of batch) pending.resolve();
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error as Error);
        return;
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
}

/** Sends a group of items at once; resolves per item (an Error for those that failed). */
export type BatchSender<Item> = (
  items: readonly Item[],
) => Promise<ReadonlyArray<Error | undefined>>;

interface Pending<Item> {
  readonly item: Item;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Groups items that arrive while earlier sends are in flight, Nagle-style: an item is sent at
 * once when a sending slot is free (no added latency at low load), and under load items queue
 * up and go `maxBatch` at a time. Each caller's promise settles with its own item's outcome.
 */
export class MicroBatcher<Item> {
  readonly #send: BatchSender<Item>;
  readonly #maxBatch: number;
  readonly #maxInFlight: number;
  readonly #pending: Pending<Item>[] = [];
  #inFlight = 0;

  constructor(send: BatchSender<Item>, options: { maxBatch: number; maxInFlight: number }) {
    this.#send = send;
    this.#maxBatch = options.maxBatch;
    this.#maxInFlight = options.maxInFlight;
  }

  /** Resolves once this item has been sent (in some batch); rejects if its send failed. */
  add(item: Item): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
    });
    this.#drain();
    return done;
  }

  #drain(): void {
    while (this.#inFlight < this.#maxInFlight && this.#pending.length > 0) {
      const batch = this.#pending.splice(0, this.#maxBatch);
      this.#inFlight += 1;
      void this.#sendBatch(batch);
    }
  }

  async #sendBatch(batch: Pending<Item>[]): Promise<void> {
    try {
      const outcomes = await this.#send(batch.map((pending) => pending.item));
      batch.forEach((pending, index) => {
        const error = outcomes[index];
        if (error === undefined) pending.resolve();
        else pending.reject(error);
      });
    } catch (error) {
      for (const pending of batch) pending.reject(error as Error);
    } finally {
      this.#inFlight -= 1;
      this.#drain();
    }
  }
}

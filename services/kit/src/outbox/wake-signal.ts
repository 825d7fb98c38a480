/**
 * A sleep that can be cut short: a relay sleeps between polls and is woken by NOTIFY, by
 * `wake()` or by stop(). A wake that arrives while the relay is busy is remembered, so the
 * next sleep returns at once instead of missing it.
 */
export class WakeSignal {
  #pending = false;
  #wake: (() => void) | undefined;

  /** Ends the current sleep, or the next one if none is running. */
  wake(): void {
    if (this.#wake) this.#wake();
    else this.#pending = true;
  }

  /** Resolves after `ms`, or earlier when woken. */
  sleep(ms: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }
}

import type { Logger } from '../logger/logger.ts';
import { WakeSignal } from './wake-signal.ts';

export interface RelayLoopOptions {
  /** One relay round; resolves true when there is probably more to do right away. */
  round: () => Promise<boolean>;
  /** How long to sleep after a round that found nothing more. */
  pollIntervalMs: number;
  /** How long stop() waits for the round in flight. */
  stopTimeoutMs: number;
  /** Log fields naming what this loop relays (table or collection). */
  logContext: Record<string, string>;
  logger?: Logger | undefined;
}

/**
 * The loop every outbox relay runs: rounds back to back while there is work, a sleep that
 * `wake()` cuts short when there is none, exponential backoff (0.5 s to 30 s) after a failed
 * round, and a bounded stop that lets the round in flight finish.
 */
export class RelayLoop {
  readonly #options: RelayLoopOptions;
  readonly #signal = new WakeSignal();
  #running = false;
  #loop: Promise<void> | undefined;

  constructor(options: RelayLoopOptions) {
    this.#options = options;
  }

  /** Whether start() was called and stop() not yet. */
  get running(): boolean {
    return this.#running;
  }

  /** Starts the rounds in the background. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Runs a round now instead of at the next poll. */
  wake(): void {
    this.#signal.wake();
  }

  /** Stops starting rounds and waits (bounded) for the one in flight. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.wake();
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.#options.stopTimeoutMs);
    });
    await Promise.race([this.#loop, bound]);
    clearTimeout(timer);
  }

  async #run(): Promise<void> {
    let errorBackoffMs = 0;
    while (this.#running) {
      let more = false;
      try {
        more = await this.#options.round();
        errorBackoffMs = 0;
      } catch (error) {
        errorBackoffMs = Math.min(30_000, Math.max(500, errorBackoffMs * 2));
        this.#options.logger?.error('outbox relay round failed', {
          ...this.#options.logContext,
          error: (error as Error).message,
          retry_in_ms: errorBackoffMs,
        });
      }
      if (!this.#running) break;
      if (!more || errorBackoffMs > 0) {
        await this.#signal.sleep(errorBackoffMs || this.#options.pollIntervalMs);
      }
    }
  }
}

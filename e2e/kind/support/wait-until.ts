// A bounded wait for something the cluster does by itself (pods going unready, recovering),
// failing with what was last seen, in one line.
import { setTimeout as sleep } from 'node:timers/promises';

/** One look: whether the wait is over, and what was seen (for the failure message). */
export interface Observation<T> {
  readonly done: boolean;
  readonly seen: string;
  readonly value?: T;
  /** Waiting longer cannot help (the situation was changed under the test): fail now. */
  readonly hopeless?: boolean;
}

/** Looks every `intervalMs` until `look` says done; throws after `timeoutMs` with the last look. */
export async function waitUntil<T = undefined>(
  what: string,
  look: () => Promise<Observation<T>>,
  timeoutMs: number,
  intervalMs = 500,
): Promise<Observation<T>> {
  const deadline = performance.now() + timeoutMs;
  let last: Observation<T> | undefined;
  for (;;) {
    try {
      last = await look();
    } catch (error) {
      last = { done: false, seen: `error: ${(error as Error).message}` };
    }
    if (last.done) return last;
    if (last.hopeless === true) throw new Error(`${what}: ${last.seen}`);
    if (performance.now() > deadline) {
      throw new Error(`${what}: not within ${timeoutMs / 1000} s; last seen: ${last.seen}`);
    }
    await sleep(intervalMs);
  }
}

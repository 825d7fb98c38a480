// Watches /readyz of some instances during a fault, as a kubelet would, and remembers every
// status seen per instance: the proof that readiness flipped and came back on its own.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceInstance } from '../../src/index.ts';

/** What one instance's /readyz said over the watch. */
export interface ReadinessHistory {
  readonly id: string;
  /** Statuses in order, consecutive repeats collapsed (0 = no answer). */
  readonly statuses: readonly number[];
  readonly pidAtStart: number | undefined;
  readonly pidAtEnd: number | undefined;
}

/** A running watch. */
export interface ReadinessWatch {
  /** Resolves once every watched instance has answered `status` at least once since the start. */
  waitForAll(status: number, timeoutMs?: number): Promise<void>;
  /** Resolves once every instance's latest answer is `status`. */
  waitUntilAllAre(status: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<ReadinessHistory[]>;
}

async function readyz(instance: ServiceInstance): Promise<number> {
  try {
    const response = await fetch(`${instance.url}/readyz`, { signal: AbortSignal.timeout(3000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

/** Polls each instance's /readyz every `intervalMs`. */
export function watchReadiness(
  instances: readonly ServiceInstance[],
  intervalMs = 200,
): ReadinessWatch {
  let running = true;
  const histories = instances.map((instance) => ({
    id: instance.id,
    statuses: [] as number[],
    pidAtStart: instance.pid,
  }));
  const loops = instances.map(async (instance, index) => {
    const history = histories[index] as (typeof histories)[number];
    while (running) {
      const status = await readyz(instance);
      if (history.statuses.at(-1) !== status) history.statuses.push(status);
      await sleep(intervalMs);
    }
  });
  const waitFor = async (done: () => boolean, what: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) {
        throw new Error(
          `${what} not seen within ${timeoutMs} ms: ${histories.map((h) => `${h.id} ${h.statuses.join('>')}`).join('; ')}`,
        );
      }
      await sleep(100);
    }
  };
  return {
    waitForAll: (status, timeoutMs = 30_000) =>
      waitFor(
        () => histories.every((h) => h.statuses.includes(status)),
        `readiness ${status} on every instance`,
        timeoutMs,
      ),
    waitUntilAllAre: (status, timeoutMs = 60_000) =>
      waitFor(
        () => histories.every((h) => h.statuses.at(-1) === status),
        `every instance at ${status}`,
        timeoutMs,
      ),
    async stop() {
      running = false;
      await Promise.all(loops);
      return histories.map((history, index) => ({
        ...history,
        pidAtEnd: instances[index]?.pid,
      }));
    },
  };
}

// An open-model load generator: requests leave on a fixed schedule whether or not earlier
// ones have answered, so a slow system sees its queue grow and the latency includes it
// (a closed loop would slow down with the system and hide that).
import { setTimeout as sleep } from 'node:timers/promises';

/** Calls `send(i)` at `ratePerSecond` for `durationMs`, never awaiting it; resolves when every call has settled. */
export async function runAtFixedRate(
  ratePerSecond: number,
  durationMs: number,
  send: (index: number) => Promise<void>,
): Promise<{ sent: number; maxLagMs: number }> {
  const intervalMs = 1000 / ratePerSecond;
  const total = Math.floor((durationMs / 1000) * ratePerSecond);
  const start = performance.now();
  const pending = new Set<Promise<void>>();
  let maxLagMs = 0;
  for (let i = 0; i < total; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    // How late the generator itself fired: if this grows, the client, not the platform, is the bottleneck.
    maxLagMs = Math.max(maxLagMs, performance.now() - due);
    const call = send(i).finally(() => pending.delete(call));
    pending.add(call);
  }
  await Promise.allSettled([...pending]);
  return { sent: total, maxLagMs };
}

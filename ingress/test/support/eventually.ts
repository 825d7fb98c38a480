import { setTimeout as delay } from 'node:timers/promises';

/**
 * Retries `check` until it stops throwing, or rethrows its last error after `timeoutMs`.
 * For changes that arrive asynchronously (a watch event); never a timing assertion.
 */
export async function eventually(
  check: () => void | Promise<void>,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await delay(25);
    }
  }
}

// Waiting on the cluster the way controllers do: through a watch, re-opened when the server
// or the client's inactivity timeout closes it, bounded by a deadline. No polling loops.
import { setTimeout as delay } from 'node:timers/promises';
import { Watch } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';

/** Which object to watch, and for how long. */
export interface WatchTarget {
  kubeConfig: KubeConfig;
  /**
   * The collection the object lives in, as an API path:
   * `/apis/apps/v1/namespaces/<ns>/deployments`, `/api/v1/namespaces`, ...
   */
  collectionPath: string;
  name: string;
  /** Says what is awaited, for the timeout error ("deployment web Available"). */
  description: string;
  /** Give up after this long (default 90 s). */
  timeoutMs?: number;
}

/** What waitForObject waits for. */
export interface WaitForObjectOptions<T extends KubernetesObject> extends WatchTarget {
  /** True once the object is as wanted. */
  until: (object: T) => boolean;
}

/** What waitForDeletion waits for. */
export interface WaitForDeletionOptions extends WatchTarget {
  /** Reads whether the object exists now; asked once the watch is open, so no deletion is missed. */
  exists: () => Promise<boolean>;
}

/**
 * Resolves with the first state of the object that satisfies `until` (its current state
 * included); rejects after the timeout with the last state seen, so a failure explains itself.
 */
export async function waitForObject<T extends KubernetesObject>(
  options: WaitForObjectOptions<T>,
): Promise<T> {
  const found = await watchUntil<T>(
    options,
    (phase, object) => phase !== 'DELETED' && options.until(object),
  );
  return found as T;
}

/** Resolves once the named object is gone (deleted and its finalizers done). */
export async function waitForDeletion(options: WaitForDeletionOptions): Promise<void> {
  await watchUntil<KubernetesObject>(options, (phase) => phase === 'DELETED', options.exists);
}

type Outcome<T> = { done: true; object: T | undefined } | { done: false; error?: Error };

async function watchUntil<T extends KubernetesObject>(
  target: WatchTarget,
  matches: (phase: string, object: T) => boolean,
  exists?: () => Promise<boolean>,
): Promise<T | undefined> {
  const timeoutMs = target.timeoutMs ?? 90_000;
  const deadline = Date.now() + timeoutMs;
  const watch = new Watch(target.kubeConfig);
  let lastSeen: T | undefined;
  let lastError: Error | undefined;

  while (Date.now() < deadline) {
    const outcome = await new Promise<Outcome<T>>((resolve) => {
      let settled = false;
      let controller: AbortController | undefined;
      const finish = (value: Outcome<T>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        controller?.abort();
        resolve(value);
      };
      const timer = setTimeout(() => finish({ done: false }), Math.max(0, deadline - Date.now()));
      // Without a resourceVersion the watch first replays the current state as ADDED
      // events, so every round starts from the truth.
      watch
        .watch(
          target.collectionPath,
          { fieldSelector: `metadata.name=${target.name}` },
          (phase: string, object: T) => {
            if (phase === 'ERROR' || phase === 'BOOKMARK') return;
            lastSeen = object;
            if (matches(phase, object)) finish({ done: true, object });
          },
          (error: unknown) => finish({ done: false, error: asError(error) }),
        )
        .then(async (abort) => {
          controller = abort;
          if (settled) {
            abort.abort();
            return;
          }
          if (exists && !(await exists())) finish({ done: true, object: undefined });
        })
        .catch((error: unknown) => finish({ done: false, error: asError(error) }));
    });
    if (outcome.done) return outcome.object;
    if (outcome.error) {
      lastError = outcome.error;
      // A watch that could not even open (API restarting, refused): retry shortly rather
      // than spin.
      await delay(Math.min(1000, Math.max(0, deadline - Date.now())));
    }
  }
  const status = lastSeen
    ? JSON.stringify({
        generation: lastSeen.metadata?.generation,
        status: (lastSeen as { status?: unknown }).status,
      }).slice(0, 2000)
    : 'never seen';
  const cause = lastError ? `; last watch error: ${lastError.message}` : '';
  throw new Error(
    `timed out after ${timeoutMs / 1000}s waiting for ${target.description}; last state: ${status}${cause}`,
  );
}

function asError(error: unknown): Error | undefined {
  if (error === null || error === undefined) return undefined;
  if (error instanceof Error) return error;
  return new Error(typeof error === 'string' ? error : JSON.stringify(error));
}

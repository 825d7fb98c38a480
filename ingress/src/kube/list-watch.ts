// A list+watch of one collection that never gives up: client-node's informers stop on errors
// unless restarted, so this loop owns the retry. On a watch error, a closed stream or
// `410 Gone` (our resourceVersion fell out of etcd's window) it lists again, with backoff.
import { setTimeout as delay } from 'node:timers/promises';
import { Watch } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';

/** A list answer: the items and the resourceVersion to watch from. */
export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

/** Options of a ListWatch. */
export interface ListWatchOptions<T extends KubernetesObject> {
  kubeConfig: KubeConfig;
  /** API path of the collection, e.g. `/apis/networking.k8s.io/v1/ingresses`. */
  path: string;
  /** Lists the collection (a typed client call). */
  list: () => Promise<ListResult<T>>;
  /** Called with the full set after every list, and after each change. */
  onChange: (objects: ReadonlyMap<string, T>) => void;
  /** Called on every failure the loop recovers from (for logs and metrics). */
  onError: (error: Error, phase: 'list' | 'watch') => void;
  /** Told why the collection is listed again: `gone` (410: our version expired), `ended`, `error`. */
  onRelist?: (reason: 'gone' | 'ended' | 'error') => void;
  /** First retry delay (default 250 ms), doubled up to maxBackoffMs (default 10 s), jittered. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Server-side watch timeout, after which the watch is simply re-opened (default 290 s). */
  watchTimeoutSec?: number;
}

/** Keeps a local copy of a collection in step with the API server until stopped. */
export class ListWatch<T extends KubernetesObject> {
  readonly #options: ListWatchOptions<T>;
  readonly #objects = new Map<string, T>();
  #stopped = false;
  #abort: AbortController | undefined;
  #wake: (() => void) | undefined;
  #firstSync: Promise<void>;
  #resolveFirstSync!: () => void;
  #loop: Promise<void> | undefined;

  constructor(options: ListWatchOptions<T>) {
    this.#options = options;
    this.#firstSync = new Promise((resolve) => (this.#resolveFirstSync = resolve));
  }

  /** Starts the loop; resolves after the first successful list (retrying until then). */
  start(): Promise<void> {
    this.#loop ??= this.#run();
    return this.#firstSync;
  }

  /** Stops watching and waits for the loop to end. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort?.abort();
    this.#wake?.();
    this.#resolveFirstSync();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const min = this.#options.minBackoffMs ?? 250;
    const max = this.#options.maxBackoffMs ?? 10_000;
    let backoff = min;
    while (!this.#stopped) {
      let resourceVersion: string;
      try {
        const listed = await this.#options.list();
        this.#objects.clear();
        for (const object of listed.items) this.#objects.set(keyOf(object), object);
        resourceVersion = listed.resourceVersion;
        this.#options.onChange(this.#objects);
        this.#resolveFirstSync();
      } catch (error) {
        if (this.#stopped) return;
        this.#options.onError(asError(error), 'list');
        await this.#sleep(jitter(backoff));
        backoff = Math.min(backoff * 2, max);
        continue;
      }
      // Watch until the stream ends; a stream that delivered events resets the backoff.
      const outcome = await this.#watch(resourceVersion);
      if (this.#stopped) return;
      this.#options.onRelist?.(outcome.gone ? 'gone' : outcome.error ? 'error' : 'ended');
      if (outcome.healthy) backoff = min;
      if (outcome.error) this.#options.onError(outcome.error, 'watch');
      if (outcome.error || !outcome.healthy) {
        await this.#sleep(jitter(backoff));
        backoff = Math.min(backoff * 2, max);
      }
    }
  }

  /** One watch from `resourceVersion`; resolves when it ends, saying whether it went well. */
  #watch(resourceVersion: string): Promise<WatchOutcome> {
    return new Promise((resolve) => {
      let sawEvent = false;
      let settled = false;
      const finish = (result: WatchOutcome): void => {
        if (settled) return;
        settled = true;
        this.#abort?.abort();
        resolve(result);
      };
      const onEvent = (phase: string, object: T & { code?: number; message?: string }): void => {
        if (phase === 'ERROR') {
          // 410 Gone and friends arrive as an event carrying a Status: re-list.
          const gone = object.code === 410;
          finish({
            healthy: gone,
            gone,
            error: gone
              ? undefined
              : new Error(`watch error ${object.code ?? '?'}: ${object.message ?? 'unknown'}`),
          });
          return;
        }
        sawEvent = true;
        if (phase === 'BOOKMARK') return;
        if (phase === 'DELETED') this.#objects.delete(keyOf(object));
        else this.#objects.set(keyOf(object), object);
        this.#options.onChange(this.#objects);
      };
      const opened = Date.now();
      const onDone = (error: unknown): void => {
        if (error && !this.#stopped) {
          finish({ healthy: false, error: asError(error) });
          return;
        }
        // A clean end (the server's timeout) re-lists at once, unless the stream closed
        // straight away without a word: then back off, so a flapping server is not hammered.
        finish({ healthy: sawEvent || Date.now() - opened > 1000 });
      };
      const timeoutSeconds = this.#options.watchTimeoutSec ?? 290;
      const watch = new Watch(this.#options.kubeConfig);
      // Private in client-node's types, with no setter (kubernetes-client/javascript#3020).
      (watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs =
        clientGuardMs(timeoutSeconds);
      watch
        .watch(
          this.#options.path,
          { resourceVersion, allowWatchBookmarks: true, timeoutSeconds },
          onEvent,
          onDone,
        )
        .then(
          (controller) => {
            this.#abort = controller;
            if (settled || this.#stopped) controller.abort();
          },
          (error: unknown) => finish({ healthy: false, error: asError(error) }),
        );
    });
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const controller = new AbortController();
      this.#wake = () => controller.abort();
      delay(ms, undefined, { signal: controller.signal }).then(
        () => resolve(),
        () => resolve(),
      );
    });
  }
}

/** How one watch ended. */
interface WatchOutcome {
  /** It delivered events or lasted a while: re-list at once. */
  healthy: boolean;
  /** The server said 410 Gone: our resourceVersion is too old. */
  gone?: boolean;
  error?: Error;
}

/** `<namespace>/<name>` (cluster-scoped objects: `/<name>`). */
export function keyOf(object: KubernetesObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

/**
 * client-node ends a watch that has been silent for `requestTimeoutMs` (30 s by default) and
 * reports it as an error, so a quiet collection (a cluster's IngressClasses) was re-listed with
 * a warning and a growing backoff every half minute. As client-go does, the server ends the
 * watch (`timeoutSeconds`); the client's guard only catches a connection dead beyond that.
 */
function clientGuardMs(serverTimeoutSeconds: number): number {
  return (serverTimeoutSeconds + 30) * 1000;
}

function jitter(ms: number): number {
  return Math.round(ms * (0.8 + Math.random() * 0.4));
}

function asError(error: unknown): Error {
  if (error instanceof Error) return error;
  return new Error(typeof error === 'string' ? error : JSON.stringify(error));
}

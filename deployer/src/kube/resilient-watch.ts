// A list+watch of one collection that survives what long watches meet: a closed stream, a
// network error, the API server restarting, and `410 Gone` (our resourceVersion fell out of
// etcd's window). Each of those re-lists, with jittered backoff on errors. Waits build on it.
import { setTimeout as delay } from 'node:timers/promises';
import { Watch } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { ObjectApi } from './object-api.ts';

/** How long the API server keeps one watch open before ending it cleanly. */
const WATCH_TIMEOUT_SECONDS = 240;

/** What to watch. */
export interface WatchSpec {
  apiVersion: string;
  kind: string;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** Options of a ResilientWatch. */
export interface ResilientWatchOptions<T extends KubernetesObject> extends WatchSpec {
  config: KubeConfig;
  objects: ObjectApi;
  /** Called with the full current set after every list and after each change. */
  onChange: (objects: ReadonlyMap<string, T>) => void;
  /** Told about each recovered failure (for progress output); the watch goes on. */
  onError?: (error: Error) => void;
  /** Told why the collection is listed again: `gone` (410), `error`, `ended` (server timeout). */
  onRelist?: (reason: 'gone' | 'error' | 'ended') => void;
  /** Lists the collection (default: the generic object API); tests wrap it to hand out stale versions. */
  list?: () => Promise<{ items: T[]; resourceVersion: string }>;
  /** First retry delay (default 250 ms), doubled up to maxBackoffMs (default 5 s). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** Keeps a local copy of a collection in step with the API server until stopped. */
export class ResilientWatch<T extends KubernetesObject> {
  readonly #options: ResilientWatchOptions<T>;
  readonly #objects = new Map<string, T>();
  #stopped = false;
  #abort: AbortController | undefined;
  #wake: AbortController | undefined;
  #loop: Promise<void> | undefined;
  #firstSync: Promise<void>;
  #resolveFirstSync!: () => void;
  /** How often the collection was re-listed after the first time (410s, errors, ends). */
  relists = 0;

  constructor(options: ResilientWatchOptions<T>) {
    this.#options = options;
    this.#firstSync = new Promise((resolve) => (this.#resolveFirstSync = resolve));
  }

  /** Starts the loop; resolves after the first successful list. */
  start(): Promise<void> {
    this.#loop ??= this.#run();
    return this.#firstSync;
  }

  /** The current objects by `<namespace>/<name>`. */
  get objects(): ReadonlyMap<string, T> {
    return this.#objects;
  }

  /** Stops watching and waits for the loop to end. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort?.abort();
    this.#wake?.abort();
    this.#resolveFirstSync();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const min = this.#options.minBackoffMs ?? 250;
    const max = this.#options.maxBackoffMs ?? 5_000;
    let backoff = min;
    let first = true;
    while (!this.#stopped) {
      let resourceVersion: string;
      try {
        const listed = this.#options.list
          ? await this.#options.list()
          : await this.#options.objects.listAll<T>(
              this.#options.apiVersion,
              this.#options.kind,
              this.#listOptions(),
            );
        if (this.#stopped) return;
        if (!first) this.relists += 1;
        first = false;
        this.#objects.clear();
        for (const object of listed.items) this.#objects.set(keyOf(object), object);
        resourceVersion = listed.resourceVersion;
        this.#options.onChange(this.#objects);
        this.#resolveFirstSync();
      } catch (error) {
        if (this.#stopped) return;
        this.#options.onError?.(asError(error));
        await this.#sleep(jitter(backoff));
        backoff = Math.min(backoff * 2, max);
        continue;
      }
      const outcome = await this.#watch(resourceVersion);
      if (this.#stopped) return;
      this.#options.onRelist?.(outcome.gone ? 'gone' : outcome.error ? 'error' : 'ended');
      if (outcome.error) this.#options.onError?.(outcome.error);
      if (outcome.healthy) {
        backoff = min;
      } else {
        await this.#sleep(jitter(backoff));
        backoff = Math.min(backoff * 2, max);
      }
    }
  }

  #listOptions(): { namespace?: string; labelSelector?: string; fieldSelector?: string } {
    const { namespace, labelSelector, fieldSelector } = this.#options;
    return {
      ...(namespace ? { namespace } : {}),
      ...(labelSelector ? { labelSelector } : {}),
      ...(fieldSelector ? { fieldSelector } : {}),
    };
  }

  /** One watch from `resourceVersion`; resolves when it ends, saying whether it went well. */
  async #watch(resourceVersion: string): Promise<WatchOutcome> {
    let path: string;
    try {
      path = await this.#options.objects.collectionPath(
        this.#options.apiVersion,
        this.#options.kind,
        this.#options.namespace,
      );
    } catch (error) {
      return { healthy: false, error: asError(error) };
    }
    return new Promise((resolve) => {
      let sawEvent = false;
      let settled = false;
      const opened = Date.now();
      const finish = (result: WatchOutcome): void => {
        if (settled) return;
        settled = true;
        this.#abort?.abort();
        resolve(result);
      };
      const onEvent = (phase: string, object: T & { code?: number; message?: string }): void => {
        if (phase === 'ERROR') {
          // 410 Gone arrives as an event carrying a Status: re-list at once, it is routine.
          const gone = object.code === 410;
          finish({
            healthy: gone,
            gone,
            error: gone
              ? undefined
              : new Error(`watch error ${object.code ?? '?'}: ${object.message ?? ''}`),
          });
          return;
        }
        sawEvent = true;
        if (phase === 'BOOKMARK') return;
        const typed = { ...object, apiVersion: this.#options.apiVersion, kind: this.#options.kind };
        if (phase === 'DELETED') this.#objects.delete(keyOf(typed));
        else this.#objects.set(keyOf(typed), typed);
        this.#options.onChange(this.#objects);
      };
      const onDone = (error: unknown): void => {
        if (error && !this.#stopped) {
          const gone = (error as { statusCode?: number; code?: number }).statusCode === 410;
          finish({ healthy: gone, gone, error: gone ? undefined : asError(error) });
          return;
        }
        // A clean end (the server's timeout) re-lists at once, unless it closed straight
        // away without a word: then back off, so a flapping server is not hammered.
        finish({ healthy: sawEvent || Date.now() - opened > 1000 });
      };
      const watch = new Watch(this.#options.config);
      // client-node ends a watch silent for 30 s as an error (then we back off and re-list);
      // a quiet watch is normal, so, as client-go does, let the server's timeout end it. The
      // field is private in client-node's types, with no setter (kubernetes-client/javascript#3020).
      (watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs =
        (WATCH_TIMEOUT_SECONDS + 30) * 1000;
      watch
        .watch(
          path,
          {
            resourceVersion,
            allowWatchBookmarks: true,
            timeoutSeconds: WATCH_TIMEOUT_SECONDS,
            ...(this.#options.labelSelector ? { labelSelector: this.#options.labelSelector } : {}),
            ...(this.#options.fieldSelector ? { fieldSelector: this.#options.fieldSelector } : {}),
          },
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

  async #sleep(ms: number): Promise<void> {
    this.#wake = new AbortController();
    await delay(ms, undefined, { signal: this.#wake.signal }).catch(() => undefined);
  }
}

/** How one watch ended. */
interface WatchOutcome {
  /** It delivered events, lasted a while or hit 410: re-list at once. */
  healthy: boolean;
  /** The server said 410 Gone: our resourceVersion is too old. */
  gone?: boolean;
  error?: Error | undefined;
}

/** `<namespace>/<name>` (cluster-scoped objects: `/<name>`). */
export function keyOf(object: KubernetesObject): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

function jitter(ms: number): number {
  return Math.round(ms * (0.8 + Math.random() * 0.4));
}

function asError(error: unknown): Error {
  if (error instanceof Error) return error;
  return new Error(typeof error === 'string' ? error : JSON.stringify(error));
}

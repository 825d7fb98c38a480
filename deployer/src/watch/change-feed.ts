// Several resilient watches as one feed: every kind asked for, in every namespace asked for,
// with one callback (debounced, so a burst of changes is one update) and one stop.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeClients } from '../kube/clients.ts';
import { ResilientWatch } from '../kube/resilient-watch.ts';

/** A kind to watch, optionally narrowed by selectors. */
export interface FeedKind {
  apiVersion: string;
  kind: string;
  labelSelector?: string;
  fieldSelector?: string;
}

/** Options of a change feed. */
export interface ChangeFeedOptions {
  kube: KubeClients;
  namespaces: string[];
  kinds: FeedKind[];
  /** Called after the first sync of every watch, then after changes (at most every `debounceMs`). */
  onChange: () => void;
  /** Default 250 ms. */
  debounceMs?: number;
  /** Told about recovered watch failures (the watches go on). */
  onError?: (error: Error) => void;
}

/** Watches that together keep a live copy of some kinds in some namespaces. */
export class ChangeFeed {
  readonly #options: ChangeFeedOptions;
  readonly #watches: { kind: string; watch: ResilientWatch<KubernetesObject> }[] = [];
  #timer: NodeJS.Timeout | undefined;
  #synced = false;

  constructor(options: ChangeFeedOptions) {
    this.#options = options;
  }

  /** Starts every watch; resolves once all have listed their collection. */
  async start(): Promise<void> {
    for (const namespace of new Set(this.#options.namespaces)) {
      for (const kind of this.#options.kinds) {
        const watch = new ResilientWatch<KubernetesObject>({
          config: this.#options.kube.config,
          objects: this.#options.kube.objects,
          apiVersion: kind.apiVersion,
          kind: kind.kind,
          namespace,
          ...(kind.labelSelector ? { labelSelector: kind.labelSelector } : {}),
          ...(kind.fieldSelector ? { fieldSelector: kind.fieldSelector } : {}),
          onChange: () => this.#schedule(),
          ...(this.#options.onError ? { onError: this.#options.onError } : {}),
        });
        this.#watches.push({ kind: kind.kind, watch });
      }
    }
    await Promise.all(this.#watches.map(({ watch }) => watch.start()));
    this.#synced = true;
    this.#options.onChange();
  }

  /** The current objects of a kind, across namespaces. */
  objectsOf<T extends KubernetesObject>(kind: string): T[] {
    const result: T[] = [];
    for (const entry of this.#watches) {
      if (entry.kind === kind)
        for (const object of entry.watch.objects.values()) result.push(object as T);
    }
    return result;
  }

  /** Stops every watch. */
  async stop(): Promise<void> {
    clearTimeout(this.#timer);
    await Promise.all(this.#watches.map(({ watch }) => watch.stop()));
  }

  #schedule(): void {
    if (!this.#synced || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#options.onChange();
    }, this.#options.debounceMs ?? 250);
  }
}

/** Resolves when `signal` aborts (at once if it already has). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}

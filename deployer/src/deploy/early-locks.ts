// The locks of a deploy's changing releases, taken as soon as each one's plan is known rather
// than when its wave starts: the lease's round trip overlaps the earlier waves. Every lock is
// released exactly once: by its rollout when it ran, else by `releaseUnused` (skipped
// releases, or a deploy that stopped with an error).
import type { KubeClients } from '../kube/clients.ts';
import { lockRelease } from '../state/release-lock.ts';
import type { Release } from '../platform-file/platform.ts';
import { ensureNamespace } from './rollout.ts';

/** Locks taken early, by release name. */
export class EarlyLocks {
  readonly #kube: KubeClients;
  readonly #locks = new Map<string, Promise<() => Promise<void>>>();
  /** Set once the deploy is over: a plan finished after that takes no lock. */
  #closed = false;

  constructor(kube: KubeClients) {
    this.#kube = kube;
  }

  /**
   * Starts taking the release's lock; `waitBeforeSeconds` is the longest the waves before it
   * may take, added to the hold so the lease still covers its own rollout and rollback.
   */
  take(release: Release, waitBeforeSeconds: number): void {
    if (this.#closed) return;
    const taking = ensureNamespace(this.#kube, release.namespace).then(() =>
      lockRelease(
        this.#kube,
        release.name,
        release.namespace,
        waitBeforeSeconds + release.timeoutSeconds * 2 + 120,
      ),
    );
    taking.catch(() => undefined); // surfaced by `held` when its wave comes
    this.#locks.set(release.name, taking);
  }

  /** Whether a lock was started for the release. */
  has(name: string): boolean {
    return this.#locks.has(name);
  }

  /** Waits for the release's lock (throws what taking it threw); hands over its release function. */
  async held(name: string): Promise<() => Promise<void>> {
    const taking = this.#locks.get(name);
    if (!taking) throw new Error(`no lock was taken for ${name}`);
    this.#locks.delete(name);
    return taking;
  }

  /** Releases every lock not handed over (releases that never rolled out). */
  async releaseUnused(): Promise<void> {
    this.#closed = true;
    const unused = [...this.#locks.values()];
    this.#locks.clear();
    await Promise.all(
      unused.map((taking) => taking.then((unlock) => unlock()).catch(() => undefined)),
    );
  }
}

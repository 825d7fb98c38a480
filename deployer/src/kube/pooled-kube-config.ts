// client-node makes a new HTTP agent for every request, so every API call pays a fresh TCP
// and TLS handshake (client and API server CPU alike). A deploy makes hundreds of calls: this
// KubeConfig hands every request of one cluster and user the same agent, so connections are reused.
import { KubeConfig } from '@kubernetes/client-node';
import type { RequestContext } from '@kubernetes/client-node';

type Dispatcher = ReturnType<RequestContext['getDispatcher']>;

/** A KubeConfig whose requests share one connection pool per cluster and user. */
export class PooledKubeConfig extends KubeConfig {
  readonly #dispatchers = new Map<string, NonNullable<Dispatcher>>();

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const fresh = context.getDispatcher();
    if (!fresh) return;
    const key = `${this.getCurrentCluster()?.server ?? ''}|${this.getCurrentUser()?.name ?? ''}`;
    let pooled = this.#dispatchers.get(key);
    if (!pooled) {
      pooled = fresh;
      this.#dispatchers.set(key, pooled);
    }
    context.setDispatcher(pooled);
  }
}

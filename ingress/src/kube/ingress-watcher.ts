// The gateway as an ingress controller: watches IngressClasses and Ingresses, builds a new
// route table on every change (in-flight requests keep the table they matched against), and
// sets status.loadBalancer on the Ingresses it serves.
import { NetworkingV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1Ingress, V1IngressClass } from '@kubernetes/client-node';
import type { Logger } from '@shoal/kit';
import { clusterDnsResolver, routesFromIngresses } from '../routes/ingress-routes.ts';
import type { BackendResolver } from '../routes/ingress-routes.ts';
import type { RoutePolicy } from '../routes/route-policy.ts';
import type { RouteSource } from '../routes/route-source.ts';
import { RouteTable } from '../routes/route-table.ts';
import { reportProblems } from '../routes/routes-file.ts';
import type { Route } from '../routes/route-table.ts';
import { EndpointReadiness } from './endpoint-readiness.ts';
import { GATEWAY_CONTROLLER, claimOf, isServedBy } from './ingress-class.ts';
import { loadBalancerEntries, publishStatus, statusIsCurrent } from './ingress-status.ts';
import { ListWatch } from './list-watch.ts';

/** Options of the Kubernetes route source. */
export interface IngressWatcherOptions {
  kubeConfig: KubeConfig;
  /** Our IngressClass name (default `shoal`). */
  ingressClass: string;
  /** The controller our class must name (default `shoal.dev/gateway`). */
  controller?: string;
  /** Watch one namespace only; undefined = all namespaces. */
  namespace?: string;
  defaults: RoutePolicy;
  /** Where a Service's traffic goes (default: its cluster DNS name). */
  resolve?: BackendResolver;
  /** The gateway's public address for status.loadBalancer; undefined = leave status alone. */
  publishAddress?: string;
  /** Watch EndpointSlices and answer 503 for Services without a ready endpoint (default true). */
  endpointReadiness?: boolean;
  logger: Logger;
  /** Told about every recovered watch/list/status failure (metrics). */
  onError?: (kind: 'list' | 'watch' | 'status') => void;
  /** Backoff bounds of the list+watch loops (tests shorten them). */
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** A RouteSource fed by the Kubernetes API. */
export class IngressWatcher implements RouteSource {
  readonly description: string;
  readonly #options: IngressWatcherOptions;
  readonly #api: NetworkingV1Api;
  readonly #classes: ListWatch<V1IngressClass>;
  readonly #ingresses: ListWatch<V1Ingress>;
  readonly #endpoints: EndpointReadiness | undefined;
  #classObjects: ReadonlyMap<string, V1IngressClass> = new Map();
  #ingressObjects: ReadonlyMap<string, V1Ingress> = new Map();
  #onRoutes: ((table: RouteTable) => void) | undefined;
  #rebuildScheduled = false;
  #stopped = false;
  /** Ingress uid → address last published ('' = being cleared), so each patch is sent once. */
  readonly #published = new Map<string, string>();

  constructor(options: IngressWatcherOptions) {
    this.#options = options;
    this.#api = options.kubeConfig.makeApiClient(NetworkingV1Api);
    const scope = options.namespace === undefined ? '' : `/namespaces/${options.namespace}`;
    this.description = `Ingresses of class ${options.ingressClass} in ${options.namespace ?? 'all namespaces'}`;
    const backoff = { minBackoffMs: options.minBackoffMs, maxBackoffMs: options.maxBackoffMs };
    this.#classes = new ListWatch<V1IngressClass>({
      kubeConfig: options.kubeConfig,
      path: '/apis/networking.k8s.io/v1/ingressclasses',
      list: async () => {
        const list = await this.#api.listIngressClass();
        return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
      },
      onChange: (objects) => {
        this.#classObjects = objects;
        this.#scheduleRebuild();
      },
      onError: (error, phase) => this.#recovered(error, phase, 'ingressclasses'),
      ...backoff,
    });
    this.#ingresses = new ListWatch<V1Ingress>({
      kubeConfig: options.kubeConfig,
      path: `/apis/networking.k8s.io/v1${scope}/ingresses`,
      list: async () => {
        const list =
          options.namespace === undefined
            ? await this.#api.listIngressForAllNamespaces()
            : await this.#api.listNamespacedIngress({ namespace: options.namespace });
        return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
      },
      onChange: (objects) => {
        this.#ingressObjects = objects;
        this.#scheduleRebuild();
      },
      onError: (error, phase) => this.#recovered(error, phase, 'ingresses'),
      ...backoff,
    });
    this.#endpoints =
      options.endpointReadiness === false
        ? undefined
        : new EndpointReadiness({
            kubeConfig: options.kubeConfig,
            namespace: options.namespace,
            onError: (error, phase) => this.#recovered(error, phase, 'endpointslices'),
            ...backoff,
          });
  }

  async start(onRoutes: (table: RouteTable) => void): Promise<void> {
    this.#onRoutes = onRoutes;
    // Not waited for: routes are served (as available) before the first EndpointSlice list.
    this.#endpoints?.start();
    await Promise.all([this.#classes.start(), this.#ingresses.start()]);
    this.#rebuild();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all([this.#classes.stop(), this.#ingresses.stop(), this.#endpoints?.stop()]);
  }

  /** False when the route's Service has EndpointSlices and no ready endpoint in them. */
  available(route: Route): boolean {
    return route.service === undefined || (this.#endpoints?.available(route.service) ?? true);
  }

  /** Resolves once the EndpointSlices have been listed (tests). */
  endpointsSynced(): Promise<void> {
    return this.#endpoints?.synced() ?? Promise.resolve();
  }

  /** Coalesces a burst of events (a re-list delivers many) into one rebuild. */
  #scheduleRebuild(): void {
    if (this.#rebuildScheduled || this.#onRoutes === undefined) return;
    this.#rebuildScheduled = true;
    setImmediate(() => {
      this.#rebuildScheduled = false;
      this.#rebuild();
    });
  }

  #rebuild(): void {
    if (this.#stopped || this.#onRoutes === undefined) return;
    const { ingressClass, controller = GATEWAY_CONTROLLER, defaults, logger } = this.#options;
    const claim = claimOf(this.#classObjects.get(`/${ingressClass}`), controller);
    const served = [...this.#ingressObjects.values()].filter((ingress) =>
      isServedBy(ingress, ingressClass, claim),
    );
    const { routes, problems } = routesFromIngresses(
      served,
      defaults,
      this.#options.resolve ?? clusterDnsResolver(),
    );
    reportProblems(problems, logger);
    this.#onRoutes(new RouteTable(routes));
    const refused = new Set(problems.map((problem) => problem.ingress));
    this.#publishStatuses(served.filter((ingress) => !refused.has(sourceOf(ingress))));
  }

  /**
   * Shows our address on every Ingress we serve, and takes it off those we no longer serve
   * (class changed, Ingress refused), so the status never points at a gateway that ignores it.
   */
  #publishStatuses(served: V1Ingress[]): void {
    const address = this.#options.publishAddress;
    if (address === undefined) return;
    const wanted = loadBalancerEntries(address);
    const servedUids = new Set<string>();
    for (const ingress of served) {
      const uid = uidOf(ingress);
      servedUids.add(uid);
      if (statusIsCurrent(ingress, wanted) || this.#published.get(uid) === address) continue;
      this.#patchStatus(ingress, uid, address, wanted);
    }
    const present = new Set<string>();
    for (const ingress of this.#ingressObjects.values()) {
      const uid = uidOf(ingress);
      present.add(uid);
      if (servedUids.has(uid) || !statusIsCurrent(ingress, wanted)) continue;
      if (this.#published.get(uid) === CLEARED) continue; // already on its way
      this.#patchStatus(ingress, uid, CLEARED, []);
    }
    for (const uid of this.#published.keys()) if (!present.has(uid)) this.#published.delete(uid);
  }

  #patchStatus(
    ingress: V1Ingress,
    uid: string,
    marker: string,
    entries: ReturnType<typeof loadBalancerEntries>,
  ): void {
    this.#published.set(uid, marker);
    publishStatus(this.#api, ingress, entries).catch((error: unknown) => {
      this.#published.delete(uid); // try again on the next event or re-list
      this.#recovered(error as Error, 'status', sourceOf(ingress));
    });
  }

  #recovered(error: Error, kind: 'list' | 'watch' | 'status', what: string): void {
    if (this.#stopped) return;
    this.#options.onError?.(kind);
    this.#options.logger.warn('kubernetes api error, retrying', {
      kind,
      resource: what,
      error: error.message,
    });
  }
}

/** Marks an Ingress whose status we are clearing in #published. */
const CLEARED = '';

function uidOf(ingress: V1Ingress): string {
  return ingress.metadata?.uid ?? sourceOf(ingress);
}

function sourceOf(ingress: V1Ingress): string {
  return `${ingress.metadata?.namespace ?? 'default'}/${ingress.metadata?.name ?? '?'}`;
}

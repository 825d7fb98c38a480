// Which Services have a ready endpoint, from their EndpointSlices: the gateway answers a route
// whose Service has none with a 503 itself, as ingress-nginx does, instead of connecting to a
// ClusterIP that nothing serves (kube-proxy refuses that connection at best; a CNI whose
// forwarding rules come first lets it leave the node). Unknown means available: before the
// first list, without RBAC for EndpointSlices, and for Services without slices at all
// (ExternalName, or endpoints nobody mirrors), requests are proxied as before.
import { DiscoveryV1Api } from '@kubernetes/client-node';
import type { KubeConfig, V1Endpoint, V1EndpointSlice } from '@kubernetes/client-node';
import { ListWatch } from './list-watch.ts';

/** The label an EndpointSlice names its Service with. */
const SERVICE_LABEL = 'kubernetes.io/service-name';

/** Options of an EndpointReadiness. */
export interface EndpointReadinessOptions {
  kubeConfig: KubeConfig;
  /** One namespace only; undefined = all namespaces. */
  namespace?: string;
  /** Told about every recovered list/watch failure. */
  onError: (error: Error, phase: 'list' | 'watch') => void;
  minBackoffMs?: number;
  maxBackoffMs?: number;
}

/** Whether an endpoint counts as ready (EndpointSlice API: an unset `ready` means ready). */
function isReady(endpoint: V1Endpoint): boolean {
  return endpoint.conditions?.ready !== false;
}

/** Ready endpoint counts per `<namespace>/<service>`, kept in step with the EndpointSlices. */
export class EndpointReadiness {
  readonly #slices: ListWatch<V1EndpointSlice>;
  /** `<namespace>/<service>` → ready endpoints over all its slices (absent: no slice seen). */
  #ready: ReadonlyMap<string, number> = new Map();

  constructor(options: EndpointReadinessOptions) {
    const api = options.kubeConfig.makeApiClient(DiscoveryV1Api);
    const scope = options.namespace === undefined ? '' : `/namespaces/${options.namespace}`;
    this.#slices = new ListWatch<V1EndpointSlice>({
      kubeConfig: options.kubeConfig,
      path: `/apis/discovery.k8s.io/v1${scope}/endpointslices`,
      list: async () => {
        const list =
          options.namespace === undefined
            ? await api.listEndpointSliceForAllNamespaces()
            : await api.listNamespacedEndpointSlice({ namespace: options.namespace });
        return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
      },
      onChange: (slices) => {
        const ready = new Map<string, number>();
        for (const slice of slices.values()) {
          const service = slice.metadata?.labels?.[SERVICE_LABEL];
          if (service === undefined) continue;
          const key = `${slice.metadata?.namespace ?? 'default'}/${service}`;
          const count = (slice.endpoints ?? []).filter(isReady).length;
          ready.set(key, (ready.get(key) ?? 0) + count);
        }
        this.#ready = ready;
      },
      onError: options.onError,
      minBackoffMs: options.minBackoffMs,
      maxBackoffMs: options.maxBackoffMs,
    });
  }

  /** Starts watching; does not wait for the first list (until then every Service is available). */
  start(): void {
    void this.#slices.start();
  }

  /** Resolves once the first list has arrived (tests). */
  synced(): Promise<void> {
    return this.#slices.start();
  }

  stop(): Promise<void> {
    return this.#slices.stop();
  }

  /** False only when the Service has EndpointSlices and not one ready endpoint in them. */
  available(service: { namespace: string; name: string }): boolean {
    return this.#ready.get(`${service.namespace}/${service.name}`) !== 0;
  }
}

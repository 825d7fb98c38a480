// client-node's generic object API, plus the one thing shoal needs that it keeps protected:
// the resource (plural name, namespaced or not) behind an apiVersion/kind, for watch paths.
import { HttpMethod, KubernetesObjectApi, PatchStrategy } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesObject, V1APIResource } from '@kubernetes/client-node';

/** KubernetesObjectApi that can also say where a kind's collection lives. */
export class ObjectApi extends KubernetesObjectApi {
  /** The client for a kubeconfig, defaulting to its context's namespace like makeApiClient does. */
  static forConfig(config: KubeConfig): ObjectApi {
    const client = config.makeApiClient(ObjectApi);
    client.setDefaultNamespace(config);
    return client;
  }

  /**
   * Server-side apply of the object exactly as rendered. Not `patch()`: it passes a built-in
   * kind through client-node's model serializer, which keeps only the fields its models know
   * by their TypeScript names, so a field the models rename is dropped: a NetworkPolicy peer's
   * `from` (`_from` there) vanished, and every policy let any source in.
   */
  async apply(
    object: KubernetesObject,
    options: { fieldManager: string; force: boolean; dryRun: boolean },
  ): Promise<KubernetesObject> {
    const path = await this.specUriPath(object, 'patch');
    const request = this.configuration.baseServer.makeRequestContext(path, HttpMethod.PATCH);
    request.setHeaderParam('Accept', 'application/json, */*;q=0.8');
    request.setHeaderParam('Content-Type', PatchStrategy.ServerSideApply);
    request.setQueryParam('fieldManager', options.fieldManager);
    request.setQueryParam('force', String(options.force));
    if (options.dryRun) request.setQueryParam('dryRun', 'All');
    request.setBody(JSON.stringify(object));
    return this.requestPromise(request);
  }

  /** The API resource of a kind (cached per apiVersion); undefined when the server lacks it. */
  async resourceOf(apiVersion: string, kind: string): Promise<V1APIResource | undefined> {
    return this.resource(apiVersion, kind);
  }

  /** The collection path of a kind: `/apis/apps/v1/namespaces/<ns>/deployments`, `/api/v1/nodes`. */
  async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
    const resource = await this.resourceOf(apiVersion, kind);
    if (!resource) throw new Error(`the cluster does not serve ${kind} (${apiVersion})`);
    const root = this.apiVersionPath(apiVersion);
    return resource.namespaced && namespace
      ? `${root}/namespaces/${encodeURIComponent(namespace)}/${resource.name}`
      : `${root}/${resource.name}`;
  }

  /** Whether a kind is namespaced (cluster-scoped kinds get no namespace on apply). */
  async isNamespaced(apiVersion: string, kind: string): Promise<boolean> {
    const resource = await this.resourceOf(apiVersion, kind);
    if (!resource) throw new Error(`the cluster does not serve ${kind} (${apiVersion})`);
    return resource.namespaced;
  }

  /** Lists every object of a kind (all pages), each with its apiVersion and kind filled in. */
  async listAll<T extends KubernetesObject>(
    apiVersion: string,
    kind: string,
    options: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {},
  ): Promise<{ items: T[]; resourceVersion: string }> {
    const items: T[] = [];
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.list<T>(
        apiVersion,
        kind,
        options.namespace,
        undefined,
        undefined,
        undefined,
        options.fieldSelector,
        options.labelSelector,
        500,
        continueToken,
      );
      for (const item of page.items) items.push({ apiVersion, kind, ...item });
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      continueToken = page.metadata?._continue || undefined;
    } while (continueToken);
    return { items, resourceVersion };
  }
}

import assert from 'node:assert/strict';
import { DiscoveryV1Api, NetworkingV1Api } from '@kubernetes/client-node';
import type { V1EndpointSlice, V1Ingress } from '@kubernetes/client-node';
import { uniqueName, useTestNamespace, waitForObject } from '@shoal/testbed';
import { GATEWAY_CONTROLLER } from '../src/kube/ingress-class.ts';
import { IngressWatcher } from '../src/kube/ingress-watcher.ts';
import { startGateway } from './support/gateway-under-test.ts';
import type { GatewayUnderTest } from './support/gateway-under-test.ts';
import { httpCall } from './support/http-call.ts';
import { captureLogs } from './support/log-capture.ts';
import { startUpstream } from './support/upstream-server.ts';
import type { Upstream } from './support/upstream-server.ts';
import { eventually } from './support/eventually.ts';

describe('the shoal IngressClass on the Kubernetes testbed', function () {
  this.timeout(60_000);
  const namespace = useTestNamespace('gw');
  const ourClass = uniqueName('shoal');
  const otherClass = uniqueName('other');
  let api: NetworkingV1Api | undefined;
  let blue: Upstream;
  let green: Upstream;
  let gateway: GatewayUnderTest;

  const networking = (): NetworkingV1Api => {
    api ??= namespace.kubeConfig.makeApiClient(NetworkingV1Api);
    return api;
  };

  before(async () => {
    const api = networking();
    await api.createIngressClass({
      body: { metadata: { name: ourClass }, spec: { controller: GATEWAY_CONTROLLER } },
    });
    await api.createIngressClass({
      body: { metadata: { name: otherClass }, spec: { controller: 'example.com/other' } },
    });
    blue = await startUpstream('blue');
    green = await startUpstream('green');
    // Services have no cluster DNS here: the testbed's "blue" and "green" Services are our
    // two local upstreams.
    // "amber" is blue too, behind EndpointSlices of its own.
    const local: Record<string, string> = { blue: blue.url, green: green.url, amber: blue.url };
    const capture = captureLogs();
    const source = new IngressWatcher({
      kubeConfig: namespace.kubeConfig,
      ingressClass: ourClass,
      namespace: namespace.name,
      defaults: {
        auth: 'none',
        rateLimit: undefined,
        timeoutMs: 5000,
        bodyLimitBytes: 1024 * 1024,
        corsOrigins: [],
      },
      resolve: ({ name }) => new URL(local[name] ?? 'http://127.0.0.1:9'),
      publishAddress: '192.0.2.10',
      logger: capture.logger,
      minBackoffMs: 50,
      maxBackoffMs: 500,
    });
    gateway = await startGateway({ source });
  });
  after(async () => {
    await gateway?.stop();
    await blue?.close();
    await green?.close();
    for (const name of [ourClass, otherClass]) {
      await api?.deleteIngressClass({ name }).catch(() => {});
    }
  });

  function ingress(name: string, path: string, service: string, className = ourClass): V1Ingress {
    return {
      metadata: { name, namespace: namespace.name },
      spec: {
        ingressClassName: className,
        rules: [
          {
            host: 'api.shoal.test',
            http: {
              paths: [
                {
                  path,
                  pathType: 'Prefix',
                  backend: { service: { name: service, port: { number: 80 } } },
                },
              ],
            },
          },
        ],
      },
    };
  }

  const get = (path: string) =>
    httpCall(`${gateway.url}${path}`, { headers: { host: 'api.shoal.test' } });
  /** Which upstream served a path (its name), or the status when none did. */
  const upstreamOf = async (path: string): Promise<string | number> => {
    const res = await get(path);
    return res.status === 200 ? res.json<{ server: string }>().server : res.status;
  };

  it('When an Ingress of our class is created, then its route is served and its status shows our address', async () => {
    await networking().createNamespacedIngress({
      namespace: namespace.name,
      body: ingress('orders', '/orders', 'blue'),
    });
    await eventually(async () => assert.equal(await upstreamOf('/orders/1'), 'blue'));
    const published = await waitForObject<V1Ingress>({
      kubeConfig: namespace.kubeConfig,
      collectionPath: `/apis/networking.k8s.io/v1/namespaces/${namespace.name}/ingresses`,
      name: 'orders',
      until: (object) => object.status?.loadBalancer?.ingress?.[0]?.ip === '192.0.2.10',
      description: 'status.loadBalancer of Ingress orders',
      timeoutMs: 10_000,
    });
    assert.equal(published.status?.loadBalancer?.ingress?.length, 1);
  });

  it('When the Ingress is changed, then routing follows, and a request in flight during the change still completes', async () => {
    const inFlight = get('/orders/slow?ms=1500');
    await eventually(() =>
      assert.ok(blue.received.some((echo) => echo.url === '/orders/slow?ms=1500')),
    );
    await networking().replaceNamespacedIngress({
      name: 'orders',
      namespace: namespace.name,
      body: {
        ...(await networking().readNamespacedIngress({
          name: 'orders',
          namespace: namespace.name,
        })),
        spec: ingress('orders', '/orders', 'green').spec,
      },
    });
    await eventually(async () => assert.equal(await upstreamOf('/orders/2'), 'green'));
    const finished = await inFlight;
    assert.equal(finished.status, 200);
    assert.equal(finished.json<{ server: string }>().server, 'blue');
  });

  it('When an Ingress of another class is created, then the gateway ignores it', async () => {
    await networking().createNamespacedIngress({
      namespace: namespace.name,
      body: ingress('foreign', '/foreign', 'blue', otherClass),
    });
    // A later Ingress of ours becoming visible proves the earlier foreign one was seen.
    await networking().createNamespacedIngress({
      namespace: namespace.name,
      body: ingress('marker', '/marker', 'blue'),
    });
    await eventually(async () => assert.equal(await upstreamOf('/marker'), 'blue'));
    assert.equal((await get('/foreign')).status, 404);
    const foreign = await networking().readNamespacedIngress({
      name: 'foreign',
      namespace: namespace.name,
    });
    assert.equal(foreign.status?.loadBalancer?.ingress, undefined);
  });

  it('When an Ingress moves to another class, then it is no longer served and our address leaves its status', async () => {
    await networking().createNamespacedIngress({
      namespace: namespace.name,
      body: ingress('moving', '/moving', 'blue'),
    });
    await eventually(async () => assert.equal(await upstreamOf('/moving'), 'blue'));
    const collectionPath = `/apis/networking.k8s.io/v1/namespaces/${namespace.name}/ingresses`;
    await waitForObject<V1Ingress>({
      kubeConfig: namespace.kubeConfig,
      collectionPath,
      name: 'moving',
      until: (object) => object.status?.loadBalancer?.ingress?.[0]?.ip === '192.0.2.10',
      description: 'our address on Ingress moving',
      timeoutMs: 10_000,
    });
    const current = await networking().readNamespacedIngress({
      name: 'moving',
      namespace: namespace.name,
    });
    await networking().replaceNamespacedIngress({
      name: 'moving',
      namespace: namespace.name,
      body: { ...current, spec: { ...current.spec, ingressClassName: otherClass } },
    });
    await eventually(async () => assert.equal((await get('/moving')).status, 404));
    await waitForObject<V1Ingress>({
      kubeConfig: namespace.kubeConfig,
      collectionPath,
      name: 'moving',
      until: (object) => (object.status?.loadBalancer?.ingress ?? []).length === 0,
      description: 'our address gone from Ingress moving',
      timeoutMs: 10_000,
    });
  });

  it('When the Ingress is deleted, then its route is gone', async () => {
    await networking().deleteNamespacedIngress({ name: 'orders', namespace: namespace.name });
    await eventually(async () => assert.equal((await get('/orders/3')).status, 404));
  });

  it('When an Ingress has an invalid annotation, then it is not served and the others are', async () => {
    const bad = ingress('bad', '/bad', 'blue');
    bad.metadata = { ...bad.metadata, annotations: { 'shoal.dev/rate-limit': 'lots' } };
    await networking().createNamespacedIngress({ namespace: namespace.name, body: bad });
    await networking().createNamespacedIngress({
      namespace: namespace.name,
      body: ingress('after-bad', '/after-bad', 'green'),
    });
    await eventually(async () => assert.equal(await upstreamOf('/after-bad'), 'green'));
    assert.equal((await get('/bad')).status, 404);
  });

  it('When the Service behind a route has EndpointSlices but no ready endpoint, then the gateway answers 503 problem+json without calling it; once one is ready, the route serves again', async () => {
    const discovery = namespace.kubeConfig.makeApiClient(DiscoveryV1Api);
    const slice = (ready: boolean): V1EndpointSlice => ({
      metadata: {
        name: 'amber-1',
        namespace: namespace.name,
        labels: { 'kubernetes.io/service-name': 'amber' },
      },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready } }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    });
    await networking().createNamespacedIngress({
      namespace: namespace.name,
      body: ingress('stock', '/stock', 'amber'),
    });
    // No EndpointSlice for amber (yet): unknown is available, the request goes through.
    await eventually(async () => assert.equal(await upstreamOf('/stock/1'), 'blue'));

    await discovery.createNamespacedEndpointSlice({
      namespace: namespace.name,
      body: slice(false),
    });
    await eventually(async () => assert.equal((await get('/stock/2')).status, 503));
    const received = blue.received.length;
    const refused = await get('/stock/3');
    assert.equal(refused.status, 503, refused.text);
    assert.match(String(refused.headers['content-type']), /^application\/problem\+json/);
    assert.equal(
      refused.json()['type'],
      'https://shoal.dev/problems/upstream-unavailable',
      refused.text,
    );
    assert.equal(refused.headers['retry-after'], '5');
    assert.equal(blue.received.length, received, 'the upstream was not called');

    await discovery.replaceNamespacedEndpointSlice({
      name: 'amber-1',
      namespace: namespace.name,
      body: slice(true),
    });
    await eventually(async () => assert.equal(await upstreamOf('/stock/4'), 'blue'));
  });
});

// Server-side apply sends what the chart rendered, every field of it: client-node's typed
// serializer used to drop the fields its models rename (a NetworkPolicy's `from`), which turned
// each policy's "only from the gateway" into "from anywhere".
import assert from 'node:assert/strict';
import {
  createTestNamespace,
  deleteTestNamespace,
  loadKubeTestbed,
  runKubectl,
} from '@shoal/testbed';
import type { KubernetesObject } from '@kubernetes/client-node';
import { connectKube } from '../src/kube/clients.ts';
import { serverSideApply } from '../src/kube/server-side-apply.ts';

describe('Server-side apply of rendered objects', function () {
  this.timeout(60_000);
  let namespace: string;
  before(async () => {
    namespace = await createTestNamespace('deployer-apply');
  });
  after(async () => {
    await deleteTestNamespace(namespace);
  });

  it('When a NetworkPolicy names the peers it lets in, then the cluster keeps them (from, namespaceSelector, ports)', async () => {
    const kube = connectKube({ kubeconfig: loadKubeTestbed().kubeconfigPath });
    const policy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'user', namespace },
      spec: {
        podSelector: { matchLabels: { 'app.kubernetes.io/name': 'user' } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'gateway' } } }],
            ports: [{ port: 'http', protocol: 'TCP' }],
          },
        ],
      },
    } as KubernetesObject;
    await serverSideApply(kube, policy);
    const live = JSON.parse(
      (await runKubectl(['get', 'networkpolicy', 'user', '-n', namespace, '-o', 'json'])).stdout,
    ) as { spec: { ingress: { from?: unknown[] }[] } };
    assert.deepEqual(live.spec.ingress[0]?.from, [
      { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'gateway' } } },
    ]);
  });
});

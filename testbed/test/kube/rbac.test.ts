// RBAC is enforced: a ServiceAccount token bound to a namespaced Role works there and
// nowhere else, as the gateway's Ingress watcher and the deployer's credentials rely on.
import assert from 'node:assert/strict';
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { expectKubeApiRefusal, useTestNamespace } from '../../src/index.ts';

describe('Kubernetes testbed: RBAC', () => {
  const home = useTestNamespace('rbac-home');
  const elsewhere = useTestNamespace('rbac-elsewhere');

  it('When a ServiceAccount token bound to a namespaced Role lists pods in another namespace, then it is refused', async () => {
    const core = home.kubeConfig.makeApiClient(CoreV1Api);
    const rbac = home.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
    await core.createNamespacedServiceAccount({
      namespace: home.name,
      body: { metadata: { name: 'reader' } },
    });
    await rbac.createNamespacedRole({
      namespace: home.name,
      body: {
        metadata: { name: 'pod-reader' },
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: home.name,
      body: {
        metadata: { name: 'reader-reads-pods' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: home.name }],
      },
    });
    const tokenRequest = await core.createNamespacedServiceAccountToken({
      namespace: home.name,
      name: 'reader',
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const cluster = home.kubeConfig.getCurrentCluster();
    assert.ok(cluster);
    const asReader = new KubeConfig();
    asReader.loadFromOptions({
      clusters: [cluster],
      users: [{ name: 'reader', token: tokenRequest.status?.token }],
      contexts: [{ name: 'reader', cluster: cluster.name, user: 'reader' }],
      currentContext: 'reader',
    });
    const readerCore = asReader.makeApiClient(CoreV1Api);

    const allowed = await readerCore.listNamespacedPod({ namespace: home.name });
    const refusal = await expectKubeApiRefusal(
      readerCore.listNamespacedPod({ namespace: elsewhere.name }),
    );

    assert.deepEqual(allowed.items, []);
    assert.equal(refusal.code, 403);
    assert.equal(
      refusal.message,
      `pods is forbidden: User "system:serviceaccount:${home.name}:reader" cannot list resource "pods" in API group "" in the namespace "${elsewhere.name}"`,
    );
  });
});

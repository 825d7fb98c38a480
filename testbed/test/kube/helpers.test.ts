// The testbed's own helpers: namespaces come and go completely, and a wait that cannot be
// met fails with an explanation instead of hanging.
import assert from 'node:assert/strict';
import { ApiException, CoreV1Api } from '@kubernetes/client-node';
import type { V1ConfigMap } from '@kubernetes/client-node';
import {
  TEST_NAMESPACE_LABEL,
  createTestNamespace,
  deleteTestNamespace,
  loadKubeTestbed,
  loadTestbedKubeConfig,
  runKubectl,
  useTestNamespace,
  waitForObject,
} from '../../src/index.ts';

describe('Kubernetes testbed helpers', () => {
  const namespace = useTestNamespace('helpers');

  it('When a test namespace is created and deleted, then it exists with its label and default ServiceAccount, and is gone afterwards', async () => {
    const kubeConfig = loadTestbedKubeConfig();
    const core = kubeConfig.makeApiClient(CoreV1Api);

    const name = await createTestNamespace('lifecycle', { kubeConfig });
    const created = await core.readNamespace({ name });
    const account = await core.readNamespacedServiceAccount({ name: 'default', namespace: name });
    await deleteTestNamespace(name, kubeConfig);
    const afterDelete = await core.readNamespace({ name }).then(
      () => 'still there',
      (error: unknown) => (error instanceof ApiException ? error.code : String(error)),
    );

    assert.match(name, /^lifecycle-[0-9a-f]{8}$/);
    assert.equal(created.metadata?.labels?.[TEST_NAMESPACE_LABEL], 'true');
    assert.equal(account.metadata?.name, 'default');
    assert.equal(afterDelete, 404);
  });

  it('When a watched condition never holds, then waitForObject rejects at its deadline with what it waited for and the last state', async () => {
    await namespace.kubeConfig.makeApiClient(CoreV1Api).createNamespacedConfigMap({
      namespace: namespace.name,
      body: { metadata: { name: 'settings' }, data: { mode: 'calm' } },
    });

    const failure = await waitForObject<V1ConfigMap>({
      kubeConfig: namespace.kubeConfig,
      collectionPath: `/api/v1/namespaces/${namespace.name}/configmaps`,
      name: 'settings',
      until: (configMap) => configMap.data?.mode === 'storm',
      description: 'configmap settings in storm mode',
      timeoutMs: 3_000,
    }).then(
      () => undefined,
      (error: unknown) => error,
    );

    assert.ok(failure instanceof Error);
    assert.match(
      failure.message,
      /timed out after 3s waiting for configmap settings in storm mode/,
    );
    assert.doesNotMatch(
      failure.message,
      /never seen/,
      'the current state was replayed by the watch',
    );
  });

  it('When kubectl runs through the helper, then it is the testbed-version client talking to the testbed', async () => {
    const testbed = loadKubeTestbed();

    const version = await runKubectl(['version', '-o', 'json']);
    const parsed = JSON.parse(version.stdout) as {
      clientVersion: { gitVersion: string };
      serverVersion: { gitVersion: string };
    };
    const refused = await runKubectl(['get', 'no-such-kind'], { allowFailure: true });

    assert.equal(parsed.clientVersion.gitVersion, testbed.version);
    assert.equal(parsed.serverVersion.gitVersion, testbed.version);
    assert.notEqual(refused.exitCode, 0);
    assert.match(refused.stderr, /doesn't have a resource type "no-such-kind"/);
  });
});

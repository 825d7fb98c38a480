// The namespaces shoal deploys into enforce Pod Security `restricted`: made so when missing,
// labelled so when they exist without a level, left alone when someone chose one; the API
// server then refuses pods that run as root there.
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import {
  createTestNamespace,
  deleteTestNamespace,
  loadKubeTestbed,
  uniqueName,
} from '@shoal/testbed';
import { connectKube } from '../src/kube/clients.ts';
import type { KubeClients } from '../src/kube/clients.ts';
import { ensureNamespace, POD_SECURITY_ENFORCE_LABEL } from '../src/deploy/rollout.ts';

describe('The namespaces shoal deploys into', function () {
  this.timeout(120_000);
  const made: string[] = [];
  let kube: KubeClients;
  const labelsOf = async (name: string) =>
    (await kube.core.readNamespace({ name })).metadata?.labels ?? {};

  beforeEach(function () {
    // A fresh set of clients: ensureNamespace remembers the namespaces it has seen per set.
    kube = connectKube({ kubeconfig: loadKubeTestbed().kubeconfigPath });
  });

  after(async function () {
    for (const name of made) await deleteTestNamespace(name);
  });

  it('When a release goes into a namespace that does not exist, then shoal creates it enforcing Pod Security restricted', async function () {
    const name = uniqueName('deployer-ns');
    made.push(name);
    await ensureNamespace(kube, name);
    assert.equal((await labelsOf(name))[POD_SECURITY_ENFORCE_LABEL], 'restricted');

    const root: V1Pod = {
      metadata: { name: 'root' },
      spec: { containers: [{ name: 'root', image: 'busybox', securityContext: { runAsUser: 0 } }] },
    };
    const refusal = await kube.core
      .createNamespacedPod({ namespace: name, body: root, dryRun: 'All' })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    assert.ok(refusal instanceof ApiException, 'a root pod was admitted');
    assert.equal(refusal.code, 403);
    const { message } = JSON.parse(String(refusal.body)) as { message?: string };
    assert.match(String(message), /violates PodSecurity "restricted/);
  });

  it('When the namespace exists without a Pod Security level, then shoal adds restricted', async function () {
    const name = await createTestNamespace('deployer-ns');
    made.push(name);
    assert.equal((await labelsOf(name))[POD_SECURITY_ENFORCE_LABEL], undefined);
    await ensureNamespace(kube, name);
    assert.equal((await labelsOf(name))[POD_SECURITY_ENFORCE_LABEL], 'restricted');
  });

  it('When the namespace enforces a level someone chose, then shoal leaves it as it is', async function () {
    const name = await createTestNamespace('deployer-ns', {
      labels: { [POD_SECURITY_ENFORCE_LABEL]: 'baseline' },
    });
    made.push(name);
    await ensureNamespace(kube, name);
    assert.equal((await labelsOf(name))[POD_SECURITY_ENFORCE_LABEL], 'baseline');
  });
});

import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import type { KubernetesObject } from '@kubernetes/client-node';
import { compactKubeHistory, loadKubeTestbed, useTestNamespace } from '@shoal/testbed';
import { connectKube } from '../src/kube/clients.ts';
import { ResilientWatch } from '../src/kube/resilient-watch.ts';

/** Resolves once `check` passes, retrying on every change the watch reports (bounded). */
async function eventually(check: () => void, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await delay(50);
    }
  }
}

describe('resilient watch', function () {
  this.timeout(60_000);
  const namespace = useTestNamespace('deployer-watch');

  it('When the watch starts from an expired resourceVersion (410 Gone), then it re-lists and keeps seeing changes', async () => {
    const kube = connectKube({ kubeconfig: loadKubeTestbed().kubeconfigPath });
    let lists = 0;
    const relists: string[] = [];
    const names = new Set<string>();
    const watch = new ResilientWatch<KubernetesObject>({
      config: kube.config,
      objects: kube.objects,
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: namespace.name,
      minBackoffMs: 20,
      // The first answer claims a resourceVersion compacted away: the watch from it gets 410.
      list: async () => {
        lists += 1;
        if (lists === 1) return { items: [], resourceVersion: '1' };
        return kube.objects.listAll('v1', 'ConfigMap', { namespace: namespace.name });
      },
      onRelist: (reason) => relists.push(reason),
      onChange: (objects) => {
        for (const object of objects.values()) names.add(object.metadata?.name ?? '');
      },
    });
    await compactKubeHistory();
    try {
      await watch.start();
      await eventually(() => assert.ok(lists >= 2, 'listed again after 410'));
      assert.equal(relists[0], 'gone');
      await kube.core.createNamespacedConfigMap({
        namespace: namespace.name,
        body: { metadata: { name: 'after-gone' } },
      });
      await eventually(() => assert.ok(names.has('after-gone')));
    } finally {
      await watch.stop();
    }
  });
});

import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { CoreV1Api } from '@kubernetes/client-node';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { compactKubeHistory, useTestNamespace } from '@shoal/testbed';
import { ListWatch } from '../src/kube/list-watch.ts';
import { eventually } from './support/eventually.ts';

describe('list+watch that survives errors and 410 Gone', function () {
  this.timeout(60_000);
  const namespace = useTestNamespace('gw-lw');

  function configMaps(
    list: (
      real: () => Promise<{ items: V1ConfigMap[]; resourceVersion: string }>,
    ) => Promise<{ items: V1ConfigMap[]; resourceVersion: string }>,
  ) {
    const core = namespace.kubeConfig.makeApiClient(CoreV1Api);
    const real = async () => {
      const answer = await core.listNamespacedConfigMap({ namespace: namespace.name });
      return { items: answer.items, resourceVersion: answer.metadata?.resourceVersion ?? '' };
    };
    const errors: string[] = [];
    const relists: string[] = [];
    let names: string[] = [];
    const watch = new ListWatch<V1ConfigMap>({
      kubeConfig: namespace.kubeConfig,
      path: `/api/v1/namespaces/${namespace.name}/configmaps`,
      list: () => list(real),
      onChange: (objects) => {
        names = [...objects.values()].map((object) => object.metadata?.name ?? '');
      },
      onError: (error, phase) => errors.push(`${phase}: ${error.message}`),
      onRelist: (reason) => relists.push(reason),
      minBackoffMs: 20,
      maxBackoffMs: 200,
    });
    const create = (name: string) =>
      core.createNamespacedConfigMap({ namespace: namespace.name, body: { metadata: { name } } });
    return { watch, errors, relists, names: () => names, create };
  }

  it('When listing fails at first, then the loop retries with backoff and syncs once the API answers', async () => {
    let calls = 0;
    const subject = configMaps(async (real) => {
      calls++;
      if (calls <= 3) throw new Error(`injected list failure ${calls}`);
      return real();
    });
    await subject.create('before-start');
    try {
      await subject.watch.start();
      assert.ok(subject.names().includes('before-start'));
      assert.equal(subject.errors.filter((error) => error.startsWith('list:')).length, 3);
    } finally {
      await subject.watch.stop();
    }
  });

  it('When the watch is opened at an expired resourceVersion (410 Gone), then it re-lists and keeps watching', async () => {
    let calls = 0;
    const subject = configMaps(async (real) => {
      calls++;
      // The first answer claims a resourceVersion long compacted away: the watch gets 410.
      return calls === 1 ? { items: [], resourceVersion: '1' } : real();
    });
    // Expire every resourceVersion so far, as the API server's own compaction would, whatever
    // the cluster's age.
    await compactKubeHistory();
    try {
      await subject.watch.start();
      await eventually(() => assert.ok(calls >= 2, 'a re-list after 410'));
      assert.equal(subject.relists[0], 'gone');
      await subject.create('after-gone');
      await eventually(() => assert.ok(subject.names().includes('after-gone')));
    } finally {
      await subject.watch.stop();
    }
  });

  it("When the collection stays quiet for longer than client-node's 30 s watch timeout, then the watch stays open: no error, no re-list, and the next change arrives", async () => {
    const subject = configMaps((real) => real());
    try {
      await subject.watch.start();
      // client-node's default would abort this silent watch at 30 s and report an error.
      await delay(35_000);
      assert.deepEqual(subject.errors, []);
      assert.deepEqual(subject.relists, []);
      await subject.create('after-quiet');
      await eventually(() => assert.ok(subject.names().includes('after-quiet')));
    } finally {
      await subject.watch.stop();
    }
  });
});

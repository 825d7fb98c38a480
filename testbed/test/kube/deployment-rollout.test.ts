// Deployment rollouts on the testbed behave as on a real cluster: the deployment and
// replicaset controllers roll pods, kwok makes them Ready, kubectl reads the result.
import assert from 'node:assert/strict';
import { AppsV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import { runKubectl, useTestNamespace, waitForObject } from '../../src/index.ts';

function webDeployment(name: string, image: string): V1Deployment {
  const labels = { 'app.kubernetes.io/name': name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      replicas: 3,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: 'web', image, ports: [{ containerPort: 8080 }] }] },
      },
    },
  };
}

/** The rule `kubectl rollout status` applies: the controller saw this generation and every replica is new and available. */
function rolloutComplete(deployment: V1Deployment): boolean {
  const status = deployment.status ?? {};
  const wanted = deployment.spec?.replicas ?? 1;
  return (
    (status.observedGeneration ?? 0) >= (deployment.metadata?.generation ?? 1) &&
    status.updatedReplicas === wanted &&
    status.replicas === wanted &&
    status.availableReplicas === wanted
  );
}

const jsonPatch = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

describe('Kubernetes testbed: Deployment rollouts', () => {
  const namespace = useTestNamespace('rollout');
  const apps = (): AppsV1Api => namespace.kubeConfig.makeApiClient(AppsV1Api);
  const waitForRollout = (name: string, description: string): Promise<V1Deployment> =>
    waitForObject<V1Deployment>({
      kubeConfig: namespace.kubeConfig,
      collectionPath: `/apis/apps/v1/namespaces/${namespace.name}/deployments`,
      name,
      until: rolloutComplete,
      description,
    });
  const replicaSetsOf = async (name: string): Promise<V1ReplicaSet[]> => {
    const list = await apps().listNamespacedReplicaSet({
      namespace: namespace.name,
      labelSelector: `app.kubernetes.io/name=${name}`,
    });
    return list.items;
  };

  it('When a 3-replica Deployment is created, then it becomes Available with 3 ready replicas', async () => {
    await apps().createNamespacedDeployment({
      namespace: namespace.name,
      body: webDeployment('web', 'registry.shoal.test/web:1.0.0'),
    });

    const deployment = await waitForRollout('web', 'deployment web to roll out');

    assert.equal(deployment.status?.readyReplicas, 3);
    const available = deployment.status?.conditions?.find((c) => c.type === 'Available');
    assert.equal(available?.status, 'True');
  });

  it('When the image changes, then the rollout completes as `kubectl rollout status` reads it, and `rollout undo` brings back the previous ReplicaSet', async () => {
    await apps().createNamespacedDeployment({
      namespace: namespace.name,
      body: webDeployment('api', 'registry.shoal.test/api:1.0.0'),
    });
    await waitForRollout('api', 'deployment api (1.0.0) to roll out');
    const [firstReplicaSet] = await replicaSetsOf('api');
    assert.ok(firstReplicaSet?.metadata?.name, 'the first rollout made a ReplicaSet');

    await apps().patchNamespacedDeployment(
      {
        namespace: namespace.name,
        name: 'api',
        body: [
          {
            op: 'replace',
            path: '/spec/template/spec/containers/0/image',
            value: 'registry.shoal.test/api:2.0.0',
          },
        ],
      },
      jsonPatch,
    );
    const updated = await waitForRollout('api', 'deployment api (2.0.0) to roll out');
    assert.equal(updated.metadata?.generation, 2);
    assert.equal(updated.status?.observedGeneration, 2);
    assert.equal(updated.status?.updatedReplicas, 3);
    assert.equal(updated.status?.availableReplicas, 3);
    const status = await runKubectl([
      'rollout',
      'status',
      `deployment/api`,
      '-n',
      namespace.name,
      '--timeout=60s',
    ]);
    assert.match(status.stdout, /deployment "api" successfully rolled out/);
    const afterUpdate = await replicaSetsOf('api');
    assert.equal(afterUpdate.length, 2, 'the image change made a second ReplicaSet');
    assert.equal(
      afterUpdate.find((rs) => rs.metadata?.name === firstReplicaSet.metadata?.name)?.spec
        ?.replicas,
      0,
      'the old ReplicaSet is scaled to zero but kept as history',
    );

    await runKubectl(['rollout', 'undo', 'deployment/api', '-n', namespace.name]);
    const undone = await waitForObject<V1Deployment>({
      kubeConfig: namespace.kubeConfig,
      collectionPath: `/apis/apps/v1/namespaces/${namespace.name}/deployments`,
      name: 'api',
      until: (d) => (d.metadata?.generation ?? 0) >= 3 && rolloutComplete(d),
      description: 'deployment api to roll back',
    });

    assert.equal(undone.spec?.template.spec?.containers[0]?.image, 'registry.shoal.test/api:1.0.0');
    const afterUndo = await replicaSetsOf('api');
    const serving = afterUndo.filter((rs) => (rs.spec?.replicas ?? 0) > 0);
    assert.deepEqual(
      serving.map((rs) => rs.metadata?.name),
      [firstReplicaSet.metadata?.name],
      'the first ReplicaSet serves again instead of a new one',
    );
    assert.equal(serving[0]?.metadata?.annotations?.['deployment.kubernetes.io/revision'], '3');
  });
});

// Pods on the testbed can be made to fail on purpose (kwok stages selected by a label), so
// rollout failure handling is tested against the real deployment controller.
import assert from 'node:assert/strict';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import {
  KWOK_BEHAVIOR_LABEL,
  KwokBehavior,
  useTestNamespace,
  waitForObject,
} from '../../src/index.ts';

describe('Kubernetes testbed: misbehaving pods', () => {
  const namespace = useTestNamespace('misbehave');

  const createPod = async (name: string, behavior: KwokBehavior): Promise<void> => {
    await namespace.kubeConfig.makeApiClient(CoreV1Api).createNamespacedPod({
      namespace: namespace.name,
      body: {
        metadata: { name, labels: { [KWOK_BEHAVIOR_LABEL]: behavior } },
        spec: { containers: [{ name: 'app', image: 'registry.shoal.test/app:1.0.0' }] },
      },
    });
  };
  const waitForPod = (
    name: string,
    until: (pod: V1Pod) => boolean,
    description: string,
  ): Promise<V1Pod> =>
    waitForObject<V1Pod>({
      kubeConfig: namespace.kubeConfig,
      collectionPath: `/api/v1/namespaces/${namespace.name}/pods`,
      name,
      until,
      description,
    });
  const waitingReason = (pod: V1Pod): string | undefined =>
    pod.status?.containerStatuses?.[0]?.state?.waiting?.reason;
  const ready = (pod: V1Pod): string | undefined =>
    pod.status?.conditions?.find((c) => c.type === 'Ready')?.status;

  it("When a Deployment's pods crash-loop, then it ends in ProgressDeadlineExceeded after its progressDeadlineSeconds", async () => {
    const labels = { 'app.kubernetes.io/name': 'crasher' };
    await namespace.kubeConfig.makeApiClient(AppsV1Api).createNamespacedDeployment({
      namespace: namespace.name,
      body: {
        metadata: { name: 'crasher' },
        spec: {
          replicas: 2,
          progressDeadlineSeconds: 10,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels: { ...labels, [KWOK_BEHAVIOR_LABEL]: KwokBehavior.CrashLoop } },
            spec: { containers: [{ name: 'app', image: 'registry.shoal.test/crasher:1.0.0' }] },
          },
        },
      },
    });

    const deployment = await waitForObject<V1Deployment>({
      kubeConfig: namespace.kubeConfig,
      collectionPath: `/apis/apps/v1/namespaces/${namespace.name}/deployments`,
      name: 'crasher',
      until: (d) =>
        d.status?.conditions?.some(
          (c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded',
        ) ?? false,
      description: 'deployment crasher to exceed its progress deadline',
    });

    const progressing = deployment.status?.conditions?.find((c) => c.type === 'Progressing');
    assert.equal(progressing?.status, 'False');
    assert.equal(deployment.status?.availableReplicas ?? 0, 0);
    const pods = await namespace.kubeConfig.makeApiClient(CoreV1Api).listNamespacedPod({
      namespace: namespace.name,
      labelSelector: 'app.kubernetes.io/name=crasher',
    });
    assert.ok(pods.items.length >= 2);
    for (const pod of pods.items) {
      assert.equal(
        waitingReason(pod),
        'CrashLoopBackOff',
        `pod ${pod.metadata?.name} shows CrashLoopBackOff`,
      );
      assert.equal(pod.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode, 1);
    }
  });

  it('When a pod is labelled image-pull-failure, then it stays Pending in ImagePullBackOff', async () => {
    await createPod('no-image', KwokBehavior.ImagePullFailure);

    const pod = await waitForPod(
      'no-image',
      (p) => waitingReason(p) !== undefined,
      'pod no-image to report its container',
    );

    assert.equal(pod.status?.phase, 'Pending');
    assert.equal(waitingReason(pod), 'ImagePullBackOff');
    assert.equal(ready(pod), 'False');
  });

  it('When a pod is labelled never-ready, then it runs but is never Ready', async () => {
    await createPod('unready', KwokBehavior.NeverReady);

    const pod = await waitForPod(
      'unready',
      (p) => p.status?.phase === 'Running',
      'pod unready to run',
    );

    assert.equal(ready(pod), 'False');
    assert.ok(pod.status?.containerStatuses?.[0]?.state?.running, 'its container is running');
    assert.ok(pod.status?.podIP, 'it has a pod IP');
  });
});

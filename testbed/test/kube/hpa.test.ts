// A CPU HorizontalPodAutoscaler really scales on the testbed: kwok reports the CPU each pod's
// annotation asks for, metrics-server serves it, the HPA controller computes replicas.
//
// The numbers are chosen so that every path converges on one count. Two "busy" pods carry
// the load; every other pod idles at kwok's default 1m; each pod requests 100m and the
// target is 100 %. With busy pods at 290m the total is 580m + (n-2)m, so the HPA wants
// ceil(5.8..) = 6 replicas from any n, and at n = 6 (97 %) it is within the 10 % tolerance.
// At 110m the total is 220m + (n-2)m: ceil(2.2..) = 3 replicas from any n. The busy pods
// carry a high pod-deletion-cost so that scaling down removes idle pods, not the load.
import assert from 'node:assert/strict';
import {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { V1Deployment, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { KWOK_CPU_USAGE_ANNOTATION, useTestNamespace, waitForObject } from '../../src/index.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const labels = { 'app.kubernetes.io/name': 'busy' };

describe('Kubernetes testbed: HorizontalPodAutoscaler on CPU', () => {
  const namespace = useTestNamespace('hpa');

  const waitForScale = (
    replicas: number,
    description: string,
  ): Promise<V2HorizontalPodAutoscaler> =>
    waitForObject<V2HorizontalPodAutoscaler>({
      kubeConfig: namespace.kubeConfig,
      collectionPath: `/apis/autoscaling/v2/namespaces/${namespace.name}/horizontalpodautoscalers`,
      name: 'busy',
      until: (hpa) =>
        hpa.status?.desiredReplicas === replicas && hpa.status.currentReplicas === replicas,
      description,
      timeoutMs: 150_000,
    });
  const setBusyUsage = async (pods: string[], cpu: string): Promise<void> => {
    const core = namespace.kubeConfig.makeApiClient(CoreV1Api);
    for (const name of pods) {
      await core.patchNamespacedPod(
        {
          namespace: namespace.name,
          name,
          body: {
            metadata: {
              annotations: {
                [KWOK_CPU_USAGE_ANNOTATION]: cpu,
                'controller.kubernetes.io/pod-deletion-cost': '1000',
              },
            },
          },
        },
        mergePatch,
      );
    }
  };

  it('When CPU usage rises above target, then replicas rise to the computed count, and when it falls below, they fall to it', async function () {
    this.timeout(360_000);
    const apps = namespace.kubeConfig.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: namespace.name,
      body: {
        metadata: { name: 'busy' },
        spec: {
          replicas: 2,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: [
                {
                  name: 'app',
                  image: 'registry.shoal.test/busy:1.0.0',
                  resources: { requests: { cpu: '100m' } },
                },
              ],
            },
          },
        },
      },
    });
    await namespace.kubeConfig
      .makeApiClient(AutoscalingV2Api)
      .createNamespacedHorizontalPodAutoscaler({
        namespace: namespace.name,
        body: {
          metadata: { name: 'busy' },
          spec: {
            scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'busy' },
            minReplicas: 2,
            maxReplicas: 10,
            metrics: [
              {
                type: 'Resource',
                resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 100 } },
              },
            ],
            behavior: {
              scaleUp: { stabilizationWindowSeconds: 0 },
              scaleDown: { stabilizationWindowSeconds: 5 },
            },
          },
        },
      });
    await waitForObject<V1Deployment>({
      kubeConfig: namespace.kubeConfig,
      collectionPath: `/apis/apps/v1/namespaces/${namespace.name}/deployments`,
      name: 'busy',
      until: (d) => d.status?.availableReplicas === 2,
      description: 'deployment busy to have 2 available replicas',
    });
    const initialPods = await namespace.kubeConfig.makeApiClient(CoreV1Api).listNamespacedPod({
      namespace: namespace.name,
      labelSelector: 'app.kubernetes.io/name=busy',
    });
    const busyPods = initialPods.items.map((pod) => pod.metadata?.name ?? '');
    assert.equal(busyPods.length, 2);

    await setBusyUsage(busyPods, '290m');
    const scaledUp = await waitForScale(6, 'the HPA to scale busy to 6 replicas');

    assert.equal(scaledUp.status?.desiredReplicas, 6);
    const scaling = scaledUp.status?.conditions?.find((c) => c.type === 'ScalingActive');
    assert.equal(scaling?.status, 'True', 'the HPA computes from real CPU metrics');

    await setBusyUsage(busyPods, '110m');
    const scaledDown = await waitForScale(3, 'the HPA to scale busy down to 3 replicas');

    assert.equal(scaledDown.status?.desiredReplicas, 3);
    const remaining = await namespace.kubeConfig.makeApiClient(CoreV1Api).listNamespacedPod({
      namespace: namespace.name,
      labelSelector: 'app.kubernetes.io/name=busy',
    });
    const remainingNames = remaining.items
      .filter((pod) => !pod.metadata?.deletionTimestamp)
      .map((pod) => pod.metadata?.name);
    for (const busy of busyPods) {
      assert.ok(remainingNames.includes(busy), `busy pod ${busy} survives the scale-down`);
    }
  });
});

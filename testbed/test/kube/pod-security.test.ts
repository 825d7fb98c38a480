// Pod Security admission is enforced per namespace, as the charts' securityContext defaults
// must satisfy on a real cluster.
import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { expectKubeApiRefusal, useTestNamespace } from '../../src/index.ts';

describe('Kubernetes testbed: Pod Security admission', () => {
  const namespace = useTestNamespace('restricted', {
    labels: {
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/enforce-version': 'latest',
    },
  });

  it('When a pod breaks the restricted level in a namespace that enforces it, then it is rejected with the violations', async () => {
    const core = namespace.kubeConfig.makeApiClient(CoreV1Api);
    const privileged: V1Pod = {
      metadata: { name: 'root-pod' },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'registry.shoal.test/app:1.0.0',
            securityContext: { privileged: true, runAsUser: 0 },
          },
        ],
      },
    };

    const refusal = await expectKubeApiRefusal(
      core.createNamespacedPod({ namespace: namespace.name, body: privileged }),
    );

    assert.equal(refusal.code, 403);
    assert.equal(refusal.reason, 'Forbidden');
    assert.match(refusal.message, /violates PodSecurity "restricted:latest"/);
    assert.match(refusal.message, /must not set securityContext\.privileged=true/);
    assert.match(refusal.message, /must not set runAsUser=0/);
  });

  it('When a pod meets the restricted level, then the same namespace admits it', async () => {
    const core = namespace.kubeConfig.makeApiClient(CoreV1Api);
    const compliant: V1Pod = {
      metadata: { name: 'good-pod' },
      spec: {
        securityContext: {
          runAsNonRoot: true,
          runAsUser: 10001,
          seccompProfile: { type: 'RuntimeDefault' },
        },
        containers: [
          {
            name: 'app',
            image: 'registry.shoal.test/app:1.0.0',
            securityContext: {
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ['ALL'] },
            },
          },
        ],
      },
    };

    const created = await core.createNamespacedPod({ namespace: namespace.name, body: compliant });

    assert.equal(created.metadata?.name, 'good-pod');
  });
});

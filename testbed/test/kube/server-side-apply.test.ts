// Server-side apply tracks field ownership: the conflict the deployer must handle when
// another manager (a person with kubectl, an HPA) owns a field it applies.
import assert from 'node:assert/strict';
import { AppsV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { V1Deployment } from '@kubernetes/client-node';
import { expectKubeApiRefusal, useTestNamespace } from '../../src/index.ts';

const applyPatch = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);

describe('Kubernetes testbed: server-side apply', () => {
  const namespace = useTestNamespace('ssa');

  it('When two field managers apply different values to one field, then the second is refused with a conflict naming the first', async () => {
    const apps = namespace.kubeConfig.makeApiClient(AppsV1Api);
    const labels = { 'app.kubernetes.io/name': 'shared' };
    const full: V1Deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'shared', namespace: namespace.name },
      spec: {
        replicas: 2,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: { containers: [{ name: 'app', image: 'registry.shoal.test/app:1.0.0' }] },
        },
      },
    };
    await apps.patchNamespacedDeployment(
      { name: 'shared', namespace: namespace.name, body: full, fieldManager: 'shoal' },
      applyPatch,
    );
    const scaleByHand = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'shared', namespace: namespace.name },
      spec: { replicas: 5 },
    };

    const refusal = await expectKubeApiRefusal(
      apps.patchNamespacedDeployment(
        { name: 'shared', namespace: namespace.name, body: scaleByHand, fieldManager: 'operator' },
        applyPatch,
      ),
    );

    assert.equal(refusal.code, 409);
    assert.equal(refusal.reason, 'Conflict');
    assert.deepEqual(refusal.causes, [
      { reason: 'FieldManagerConflict', message: 'conflict with "shoal"', field: '.spec.replicas' },
    ]);

    const forced = await apps.patchNamespacedDeployment(
      {
        name: 'shared',
        namespace: namespace.name,
        body: scaleByHand,
        fieldManager: 'operator',
        force: true,
      },
      applyPatch,
    );
    assert.equal(forced.spec?.replicas, 5);
    // fieldsV1 is a trie of the owned fields: {"f:spec": {"f:replicas": {}}}.
    const ownsSpecReplicas = (fields: unknown): boolean =>
      (fields as { 'f:spec'?: { 'f:replicas'?: unknown } } | undefined)?.['f:spec']?.[
        'f:replicas'
      ] !== undefined;
    const owners = (forced.metadata?.managedFields ?? []).filter((entry) =>
      ownsSpecReplicas(entry.fieldsV1),
    );
    assert.deepEqual(
      owners.map((entry) => entry.manager),
      ['operator'],
      'a forced apply takes the field over',
    );
  });
});

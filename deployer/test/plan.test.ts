import assert from 'node:assert/strict';
import type { KubernetesObject } from '@kubernetes/client-node';
import { currentPods } from '../src/deploy/current-pods.ts';
import { fillTemplate } from '../src/deploy/platform-secrets.ts';
import { withImage } from '../src/deploy/prepare.ts';
import { comparable, diffObjects } from '../src/plan/object-diff.ts';
import { describeCounts, isNoop, planCounts } from '../src/plan/plan.ts';
import { applyGroups } from '../src/render/apply-order.ts';
import { parseManifests } from '../src/render/helm-template.ts';
import { keepLiveSecretValues } from '../src/render/keep-secrets.ts';
import { imagesOf, trackObjects } from '../src/render/tracking.ts';
import { applyOverrides } from '../src/state/apply-overrides.ts';
import { overridesFromData, overridesToData } from '../src/state/overrides.ts';
import { revisionFromSecret, revisionToSecret } from '../src/state/revisions.ts';
import type { Revision } from '../src/state/revisions.ts';
import { recorded } from './support/fixtures.ts';

const deployment = (): KubernetesObject & { spec: Record<string, unknown> } => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'auth', labels: { app: 'auth' } },
  spec: {
    selector: { matchLabels: { app: 'auth' } },
    template: {
      metadata: { labels: { app: 'auth' } },
      spec: {
        initContainers: [{ name: 'migrate', image: 'shoal/auth:1' }],
        containers: [{ name: 'auth', image: 'shoal/auth:1' }],
      },
    },
  },
});
const hpa = (): KubernetesObject =>
  ({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'auth' },
    spec: { minReplicas: 2, maxReplicas: 6 },
  }) as KubernetesObject;

describe('plan building blocks', () => {
  it('When only server bookkeeping differs, then the objects compare equal', () => {
    const live = recorded('deployment-available');
    const applied = structuredClone(live);
    applied.metadata = {
      ...applied.metadata,
      resourceVersion: '999',
      generation: 7,
      managedFields: [],
    };
    assert.deepEqual(comparable(live), comparable(applied));
    assert.deepEqual(diffObjects(live, applied), []);
  });

  it('When an image changes, then the diff names the field with before and after', () => {
    const before = deployment();
    const after = withImage(
      {
        name: 'auth',
        namespace: 'x',
        chart: '',
        valuesFiles: [],
        values: {},
        dependsOn: [],
        timeoutSeconds: 1,
      },
      'shoal/auth:2',
    );
    assert.deepEqual(after.values, { image: { repository: 'shoal/auth', tag: '2' } });
    const changed = structuredClone(before);
    (
      changed.spec.template as { spec: { containers: { image: string }[] } }
    ).spec.containers[0]!.image = 'shoal/auth:2';
    assert.deepEqual(diffObjects(before, changed), [
      {
        path: '.spec.template.spec.containers[0].image',
        before: 'shoal/auth:1',
        after: 'shoal/auth:2',
      },
    ]);
  });

  it('When a Secret value changes, then the diff names the key but never shows a value', () => {
    const secret = (value: string): KubernetesObject =>
      ({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's' },
        data: { password: value },
      }) as KubernetesObject;
    const changes = diffObjects(secret('b2xk'), secret('bmV3'));
    assert.deepEqual(changes, [{ path: '.data.password', before: '(hidden)', after: '(hidden)' }]);
  });

  it('When an image is given by digest or without tag, then the values say so', () => {
    const base = {
      name: 'a',
      namespace: 'x',
      chart: '',
      valuesFiles: [],
      values: {},
      dependsOn: [],
      timeoutSeconds: 1,
    };
    assert.deepEqual(withImage(base, 'reg:5000/shoal/a@sha256:abc').values, {
      image: { repository: 'reg:5000/shoal/a', digest: 'sha256:abc' },
    });
    assert.deepEqual(withImage(base, 'reg:5000/shoal/a').values, {
      image: { repository: 'reg:5000/shoal/a' },
    });
  });

  it('When a release is scaled by hand to N replicas, then its HPA is left out and its workloads get N', () => {
    const { objects, notes } = applyOverrides([deployment(), hpa()], { replicas: 4 });
    assert.deepEqual(
      objects.map((object) => object.kind),
      ['Deployment'],
    );
    assert.equal((objects[0] as { spec: { replicas: number } }).spec.replicas, 4);
    assert.equal(notes.length, 2);
  });

  it('When HPA bounds are overridden, then the HPA gets them and min never exceeds max', () => {
    const { objects } = applyOverrides([deployment(), hpa()], { minReplicas: 9, maxReplicas: 3 });
    const spec = (objects[1] as { spec: { minReplicas: number; maxReplicas: number } }).spec;
    assert.deepEqual(spec, { minReplicas: 3, maxReplicas: 3 });
    assert.equal((objects[0] as { spec: { replicas?: number } }).spec.replicas, undefined);
  });

  it('When overrides are stored and read back, then they round-trip and junk is ignored', () => {
    assert.deepEqual(overridesFromData(overridesToData({ replicas: 3 })), { replicas: 3 });
    assert.deepEqual(overridesFromData({ replicas: 'lots', minReplicas: '2' }), { minReplicas: 2 });
  });

  it('When a rendered Secret already exists, then keys in the cluster keep their live value and new keys are added', () => {
    const rendered: KubernetesObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'n' },
      data: { password: 'bmV3', url: 'bmV3dXJs' },
      stringData: { extra: 'x' },
    } as KubernetesObject;
    const [kept] = keepLiveSecretValues([rendered], (name, namespace) =>
      name === 'db' && namespace === 'n'
        ? { apiVersion: 'v1', kind: 'Secret', data: { password: 'b2xk' } }
        : undefined,
    );
    assert.deepEqual((kept as { data: unknown }).data, {
      password: 'b2xk',
      url: 'bmV3dXJs',
      extra: 'eA==',
    });
    assert.equal((kept as { stringData?: unknown }).stringData, undefined);
  });

  it('When objects are tracked, then they, their pod templates and claim templates carry the release, namespaced ones its namespace unless the chart names another', async () => {
    const statefulSet = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db' },
      spec: { template: { metadata: {} }, volumeClaimTemplates: [{ metadata: { name: 'data' } }] },
    } as KubernetesObject;
    const clusterRole = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'r', namespace: 'x' },
    } as KubernetesObject;
    const authReader = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'metrics-server-auth-reader', namespace: 'kube-system' },
    } as KubernetesObject;
    const [db, role, binding] = await trackObjects(
      [statefulSet, clusterRole, authReader],
      'platform',
      'prod',
      (_v, kind) => Promise.resolve(kind !== 'ClusterRole'),
    );
    assert.equal(db?.metadata?.namespace, 'prod');
    assert.equal(db?.metadata?.labels?.['shoal.dev/release'], 'platform');
    const spec = (
      db as {
        spec: {
          template: { metadata: { labels: Record<string, string> } };
          volumeClaimTemplates: { metadata: { labels: Record<string, string> } }[];
        };
      }
    ).spec;
    assert.equal(spec.template.metadata.labels['shoal.dev/release-namespace'], 'prod');
    assert.equal(spec.volumeClaimTemplates[0]?.metadata.labels['shoal.dev/data-of'], 'platform');
    assert.equal(role?.metadata?.namespace, undefined);
    assert.equal(binding?.metadata?.namespace, 'kube-system', 'the namespace the chart named');
    assert.equal(statefulSet.metadata?.labels, undefined, 'the input is not changed');
    assert.deepEqual(imagesOf([deployment()]), ['shoal/auth:1']);
  });

  it('When objects are grouped for apply, then configuration comes before workloads, and routes and custom resources last', () => {
    const kinds = applyGroups([
      { kind: 'Ingress' },
      { kind: 'Deployment' },
      { kind: 'Secret' },
      { kind: 'Widget' },
      { kind: 'ConfigMap' },
      { kind: 'Secret' },
    ] as KubernetesObject[]).map((group) => group.map((object) => object.kind));
    assert.deepEqual(kinds, [
      ['Secret', 'ConfigMap', 'Secret'],
      ['Deployment'],
      ['Ingress', 'Widget'],
    ]);
  });

  it('When helm output holds empty documents and Lists, then they are skipped and flattened', () => {
    const objects = parseManifests(
      '---\n# only a comment\n---\napiVersion: v1\nkind: ConfigMapList\nitems:\n  - { apiVersion: v1, kind: ConfigMap, metadata: { name: a } }\n---\napiVersion: v1\nkind: Service\nmetadata: { name: b }\n',
      'test',
    );
    assert.deepEqual(
      objects.map((object) => object.metadata?.name),
      ['a', 'b'],
    );
    assert.throws(
      () => parseManifests('kind: Service\n', 'test'),
      /without apiVersion, kind or metadata\.name/,
    );
  });

  it('When a plan has only unchanged objects, then it is a no-op and says so', () => {
    const plan = {
      release: 'a',
      namespace: 'n',
      changes: [{ action: 'unchanged' as const, kind: 'Service', name: 's', object: {} }],
    };
    assert.ok(isNoop(plan));
    assert.equal(describeCounts(planCounts(plan)), '1 unchanged');
  });

  it('When a secret template is filled, then values are escaped for the JSON they land in', () => {
    const known = new Map([['creds', { secret: 'a"b' }]]);
    assert.equal(fillTemplate('{"s":"{{ creds.secret }}"}', known), '{"s":"a\\"b"}');
  });

  it('When pods of an old ReplicaSet or terminating pods are present, then only the current revision counts', () => {
    const owner = (kind: string, name: string) => [
      { apiVersion: 'apps/v1', kind, name, uid: name, controller: true },
    ];
    const workload = {
      kind: 'Deployment',
      metadata: { name: 'web', annotations: { 'deployment.kubernetes.io/revision': '2' } },
    };
    const replicaSets = [
      {
        kind: 'ReplicaSet',
        metadata: {
          name: 'web-old',
          annotations: { 'deployment.kubernetes.io/revision': '1' },
          ownerReferences: owner('Deployment', 'web'),
        },
      },
      {
        kind: 'ReplicaSet',
        metadata: {
          name: 'web-new',
          annotations: { 'deployment.kubernetes.io/revision': '2' },
          ownerReferences: owner('Deployment', 'web'),
        },
      },
    ];
    const pods = [
      { kind: 'Pod', metadata: { name: 'old', ownerReferences: owner('ReplicaSet', 'web-old') } },
      { kind: 'Pod', metadata: { name: 'new', ownerReferences: owner('ReplicaSet', 'web-new') } },
      {
        kind: 'Pod',
        metadata: {
          name: 'going',
          deletionTimestamp: new Date(),
          ownerReferences: owner('ReplicaSet', 'web-new'),
        },
      },
    ];
    const names = currentPods(
      pods as KubernetesObject[],
      replicaSets as KubernetesObject[],
      [workload] as KubernetesObject[],
    ).map((pod) => pod.metadata?.name);
    assert.deepEqual(names, ['new']);
  });

  it('When a revision is stored as a Secret and read back, then it round-trips, its status label winning', () => {
    const revision: Revision = {
      release: 'auth',
      namespace: 'n',
      revision: 3,
      status: 'pending',
      time: '2026-01-01T00:00:00.000Z',
      chart: '/charts/auth',
      valuesFiles: [],
      values: { a: 1 },
      images: ['shoal/auth:1'],
      description: 'deploy',
      manifests: [deployment()],
    };
    const secret = revisionToSecret(revision);
    assert.equal(secret.metadata?.name, 'shoal.release.auth.v3');
    secret.metadata.labels!['shoal.dev/status'] = 'deployed';
    assert.deepEqual(revisionFromSecret(secret), { ...revision, status: 'deployed' });
  });
});

// Pod Security on the cluster: the platform's namespace enforces `restricted`, the API server
// refuses a pod that breaks it, and every container of every pod in it (services and data
// stores alike) really runs as a non-root user on a read-only root filesystem, as the node's
// container runtime and kernel report it, not only as its pod spec asks.
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { inspectContainer } from './support/container-runtime.ts';
import { connectKindCluster } from './support/kind-cluster.ts';
import type { KindCluster } from './support/kind-cluster.ts';

const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

/** The pod's containers with their runtime ids (init containers too, once they have run). */
function containersOf(pod: V1Pod): { name: string; id: string | undefined }[] {
  const statuses = [
    ...(pod.status?.initContainerStatuses ?? []),
    ...(pod.status?.containerStatuses ?? []),
  ];
  return statuses.map((status) => ({
    name: status.name,
    id: status.containerID?.replace(/^[a-z]+:\/\//, ''),
  }));
}

describe('kind: Pod Security of the platform namespace', function () {
  this.timeout(300_000);
  let cluster: KindCluster;

  before(function () {
    cluster = connectKindCluster();
  });

  it('When the namespace is read, then it enforces Pod Security restricted', async function () {
    const namespace = await cluster.core.readNamespace({ name: cluster.namespace });
    const labels = namespace.metadata?.labels ?? {};
    assert.equal(
      labels[ENFORCE_LABEL],
      'restricted',
      `namespace ${cluster.namespace} labels: ${JSON.stringify(labels)}`,
    );
  });

  it('When someone creates a pod that runs as root, then the API server refuses it (server-side dry run)', async function () {
    const body: V1Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'pod-security-probe' },
      spec: {
        containers: [
          {
            name: 'root',
            image: 'shoal/auth:probe',
            securityContext: { runAsUser: 0, allowPrivilegeEscalation: true },
          },
        ],
      },
    };
    const refusal = await cluster.core
      .createNamespacedPod({ namespace: cluster.namespace, body, dryRun: 'All' })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    assert.ok(
      refusal instanceof ApiException,
      `a root pod in namespace ${cluster.namespace} was admitted (dry run)`,
    );
    assert.equal(refusal.code, 403, String(refusal.body));
    const { message } = JSON.parse(String(refusal.body)) as { message?: string };
    assert.match(String(message), /violates PodSecurity "restricted/);
  });

  it('When the node runtime is asked, then every container in the namespace runs as non-root with a read-only root filesystem', async function () {
    const pods = (await cluster.core.listNamespacedPod({ namespace: cluster.namespace })).items
      // Finished pods (a Job's) have no running container left to look at.
      .filter((pod) => pod.status?.phase === 'Running' || pod.status?.phase === 'Pending');
    assert.ok(pods.length > 0, `pods in namespace ${cluster.namespace}`);
    const problems: string[] = [];
    let checked = 0;
    for (const pod of pods) {
      const podName = pod.metadata?.name ?? '?';
      const node = pod.spec?.nodeName;
      if (node === undefined) {
        problems.push(`${podName}: not scheduled (${pod.status?.phase})`);
        continue;
      }
      const declared = pod.spec?.initContainers?.length ?? 0;
      const containers = containersOf(pod);
      if (containers.length < (pod.spec?.containers.length ?? 0) + declared) {
        problems.push(`${podName}: some containers were never started`);
      }
      for (const container of containers) {
        const what = `${podName}/${container.name} on ${node}`;
        if (container.id === undefined) {
          problems.push(`${what}: no container id (not started)`);
          continue;
        }
        const seen = await inspectContainer(node, container.id);
        checked += 1;
        const running =
          seen.pid > 0
            ? `pid ${seen.pid} uids ${seen.processUids.join('/')}, / ${seen.rootMountReadOnly ? 'ro' : 'rw'}`
            : 'not running';
        console.log(
          `      ${what}: spec uid ${seen.specUid} gid ${seen.specGid}, root ${seen.specRootReadOnly ? 'read-only' : 'writable'}; ${running}`,
        );
        if (seen.specUid === 0) problems.push(`${what}: the OCI spec runs it as uid 0`);
        if (!seen.specRootReadOnly) problems.push(`${what}: the OCI spec's root is writable`);
        if (seen.pid > 0) {
          if (seen.processUids.length === 0 || seen.processUids.includes(0)) {
            problems.push(`${what}: the process has uid 0 (${seen.processUids.join('/')})`);
          }
          if (seen.rootMountReadOnly !== true) {
            problems.push(`${what}: the process's / is not mounted read-only`);
          }
        }
      }
    }
    console.log(`      ${checked} containers in ${pods.length} pods checked`);
    assert.deepEqual(problems, [], 'containers that run as root or on a writable root');
  });
});

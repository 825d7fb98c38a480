// Network policies, enforced (issue 15 item 4): real TCP connections from real pods. A pod in
// another namespace, a pod in the platform's namespace without the allowed labels, and a pod in
// another namespace labelled like the gateway reach neither the data stores nor the services;
// the gateway reaches the services (through the ingress) and the services their stores (they
// are Ready, and a service pod connects to its own store).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { V1Pod } from '@kubernetes/client-node';
import { connectKindCluster } from './support/kind-cluster.ts';
import type { KindCluster } from './support/kind-cluster.ts';
import { ingressRoutes } from './support/ingress-routes.ts';
import { waitUntil } from './support/wait-until.ts';
import { appPods, describePods } from './support/workload-pods.ts';

const run = promisify(execFile);

// A Node.js image already on every node: SHOAL_PROBE_IMAGE, else the auth service's own image
// (shoal-offline/node is not loaded on the nodes by `make deploy`; nothing here may be pulled).
const PROBE_IMAGE_ENV = 'SHOAL_PROBE_IMAGE';
const CONNECT_TIMEOUT_MS = 3000;
const SERVICES = ['auth', 'user', 'event', 'notification', 'reporting'] as const;

/** A TCP target: a Service name in the platform's namespace and its port. */
interface Target {
  readonly service: string;
  readonly port: number;
}

const STORES: readonly Target[] = [
  { service: 'shoal-postgresql', port: 5432 },
  { service: 'shoal-mongodb', port: 27017 },
  { service: 'shoal-redis', port: 6379 },
  { service: 'shoal-elasticmq', port: 9324 },
];

/** Which store each service must reach (its egress rules and env). */
const OWN_STORES: Record<(typeof SERVICES)[number], readonly string[]> = {
  auth: ['shoal-postgresql', 'shoal-redis', 'shoal-elasticmq'],
  user: ['shoal-mongodb', 'shoal-elasticmq'],
  event: ['shoal-mongodb', 'shoal-elasticmq'],
  notification: ['shoal-mongodb', 'shoal-elasticmq'],
  reporting: ['shoal-postgresql', 'shoal-elasticmq'],
};

/** Tries every target at once from inside a pod; prints one `host:port OPEN|CLOSED (why)` a line. */
const CONNECT_SCRIPT = `
const net = require('node:net');
const targets = JSON.parse(process.argv[1]);
Promise.all(targets.map(([host, port]) => new Promise((resolve) => {
  const socket = net.connect({ host, port });
  const done = (state) => { socket.destroy(); resolve(host + ':' + port + ' ' + state); };
  socket.setTimeout(${CONNECT_TIMEOUT_MS}, () => done('CLOSED (timeout)'));
  socket.once('connect', () => done('OPEN'));
  socket.once('error', (error) => done('CLOSED (' + error.code + ')'));
}))).then((lines) => console.log(lines.join('\\n')));
`;

function restrictedPod(name: string, image: string, labels: Record<string, string>): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { 'shoal.e2e/probe': 'network-policies', ...labels } },
    spec: {
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 0,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: 1000,
        runAsGroup: 1000,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: 'probe',
          image,
          imagePullPolicy: 'IfNotPresent',
          command: ['sleep', 'infinity'],
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
          resources: { requests: { cpu: '10m', memory: '32Mi' }, limits: { memory: '128Mi' } },
        },
      ],
    },
  };
}

/** Connects from `pod` (container `container`) to every target; `host:port` -> OPEN/CLOSED line. */
async function connectFrom(
  cluster: KindCluster,
  namespace: string,
  pod: string,
  targets: readonly Target[],
  container?: string,
): Promise<Map<string, string>> {
  const hosts = targets.map((t) => [`${t.service}.${cluster.namespace}.svc.cluster.local`, t.port]);
  const { stdout } = await run(
    'kubectl',
    [
      '--kubeconfig',
      cluster.kubeconfigPath,
      '--context',
      cluster.context,
      '-n',
      namespace,
      'exec',
      pod,
      ...(container === undefined ? [] : ['-c', container]),
      '--',
      'node',
      '-e',
      CONNECT_SCRIPT,
      JSON.stringify(hosts),
    ],
    { timeout: 60_000 },
  );
  const seen = new Map<string, string>();
  for (const line of stdout.trim().split('\n')) {
    const [address = '', ...state] = line.split(' ');
    const host = address.split('.')[0] ?? '';
    const port = address.split(':').pop() ?? '';
    seen.set(`${host}:${port}`, state.join(' '));
  }
  return seen;
}

describe('kind: network policies, enforced (real TCP from real pods)', function () {
  this.timeout(600_000);
  let cluster: KindCluster;
  const suffix = randomBytes(3).toString('hex');
  const otherNamespace = `np-probe-${suffix}`;
  const probes: { namespace: string; name: string; what: string }[] = [];
  const serviceTargets: Target[] = [];
  let checked = 0;
  let blocked = 0;

  before(async function () {
    cluster = connectKindCluster();
    const auth = await cluster.apps.readNamespacedDeployment({
      name: 'auth',
      namespace: cluster.namespace,
    });
    const image = process.env[PROBE_IMAGE_ENV] ?? auth.spec?.template.spec?.containers[0]?.image;
    assert.ok(image, 'a probe image (the auth Deployment has none)');
    for (const service of SERVICES) {
      const svc = await cluster.core.readNamespacedService({
        name: service,
        namespace: cluster.namespace,
      });
      const port = svc.spec?.ports?.[0]?.port;
      assert.ok(port, `Service ${service} has a port`);
      serviceTargets.push({ service, port });
    }
    await cluster.core.createNamespace({
      body: {
        metadata: { name: otherNamespace, labels: { 'shoal.e2e/probe': 'network-policies' } },
      },
    });
    probes.push(
      { namespace: otherNamespace, name: 'outsider', what: `a pod in ${otherNamespace}` },
      {
        namespace: otherNamespace,
        name: 'fake-gateway',
        what: `a pod in ${otherNamespace} labelled app.kubernetes.io/name=gateway`,
      },
      {
        namespace: cluster.namespace,
        name: `np-probe-${suffix}`,
        what: `an unlabelled pod in ${cluster.namespace}`,
      },
    );
    for (const probe of probes) {
      const labels: Record<string, string> =
        probe.name === 'fake-gateway' ? { 'app.kubernetes.io/name': 'gateway' } : {};
      await cluster.core.createNamespacedPod({
        namespace: probe.namespace,
        body: restrictedPod(probe.name, image, labels),
      });
    }
    for (const probe of probes) {
      await waitUntil(
        `probe pod ${probe.namespace}/${probe.name} ready`,
        async () => {
          const pod = await cluster.core.readNamespacedPod({
            name: probe.name,
            namespace: probe.namespace,
          });
          const ready =
            pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
          return { done: ready, seen: pod.status?.phase ?? '?' };
        },
        120_000,
      );
    }
  });

  after(async function () {
    if (checked > 0) {
      console.log(
        `      network policies: ${checked} (source, target) pairs checked, ${blocked} blocked as expected`,
      );
    }
    if (!cluster) return;
    for (const probe of probes.filter((p) => p.namespace === cluster.namespace)) {
      await cluster.core
        .deleteNamespacedPod({
          name: probe.name,
          namespace: probe.namespace,
          gracePeriodSeconds: 0,
        })
        .catch(() => undefined);
    }
    await cluster.core.deleteNamespace({ name: otherNamespace }).catch(() => undefined);
  });

  const outsiders: { index: number; label: string }[] = [
    { index: 0, label: 'a pod in another namespace' },
    { index: 2, label: 'a pod in the platform namespace without the allowed labels' },
    { index: 1, label: 'a pod in another namespace labelled like the gateway' },
  ];
  for (const { index, label } of outsiders) {
    it(`When ${label} connects to the data stores and every service, then each connection is refused or times out`, async function () {
      const probe = probes[index];
      assert.ok(probe);
      const targets = [...STORES, ...serviceTargets];
      const seen = await connectFrom(cluster, probe.namespace, probe.name, targets);
      const open: string[] = [];
      for (const target of targets) {
        const key = `${target.service}:${target.port}`;
        const state = seen.get(key);
        assert.ok(state !== undefined, `no answer for ${key}: ${JSON.stringify([...seen])}`);
        // A name that does not resolve proves nothing about the policy.
        assert.doesNotMatch(state, /ENOTFOUND|EAI_AGAIN/, `${probe.what} cannot resolve ${key}`);
        checked += 1;
        if (state.startsWith('CLOSED')) blocked += 1;
        else open.push(key);
      }
      console.log(
        `      ${probe.what}: ${[...seen].map(([k, v]) => `${k} ${v.split(' ')[0]}`).join(', ')}`,
      );
      assert.deepEqual(open, [], `${probe.what} reached ${open.join(', ')}`);
    });
  }

  it('When a request comes through the ingress, then the gateway reaches every service (non-5xx)', async function () {
    const routes = await ingressRoutes(cluster);
    for (const service of SERVICES) {
      const route = routes.find((r) => r.service === service && r.host !== '');
      assert.ok(route, `an Ingress routes to ${service}`);
      const response = await fetch(`http://127.0.0.1${route.path}`, {
        headers: { Host: route.host },
        signal: AbortSignal.timeout(15_000),
      });
      await response.arrayBuffer();
      assert.ok(
        response.status < 500,
        `GET ${route.host}${route.path} (${service}) answered ${response.status}`,
      );
    }
  });

  it('When the services run, then each is Ready and connects to its own stores', async function () {
    for (const service of SERVICES) {
      const pods = await appPods(cluster, service);
      const ready = pods.find((pod) => pod.ready);
      assert.ok(ready, `${service}: ${describePods(pods)}`);
      const targets = STORES.filter((store) => OWN_STORES[service].includes(store.service));
      const seen = await connectFrom(cluster, cluster.namespace, ready.name, targets, service);
      for (const target of targets) {
        const state = seen.get(`${target.service}:${target.port}`);
        assert.equal(state, 'OPEN', `${service} -> ${target.service}:${target.port}: ${state}`);
      }
    }
  });
});

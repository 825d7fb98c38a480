import assert from 'node:assert/strict';
import { loadKubeTestbed, runKubectl, useTestNamespace } from '@shoal/testbed';
import { APP_CHARTS, chartDir, runHelm } from '../src/index.ts';

/** The platform's claims on the testbed (no dynamic provisioner there): PVs bound to them up front. */
const CLAIMS = ['data-shoal-postgresql-0', 'data-shoal-mongodb-0'];

interface Workload {
  kind: string;
  metadata: { name: string };
  spec: { replicas?: number };
  status: { readyReplicas?: number; availableReplicas?: number; observedGeneration?: number };
}

describe('plain `helm upgrade --install --wait` of the platform and every service chart', () => {
  const kubeconfig = loadKubeTestbed().kubeconfigPath;
  const helm = (args: string[]) =>
    runHelm([...args, '--kubeconfig', kubeconfig], { timeoutMs: 300_000 });
  const releases: string[] = [];
  let ingressClass = '';
  // Registered before the namespace's own cleanup, so it runs first: helm removes the
  // cluster-scoped objects (IngressClass, RBAC) while its release records still exist.
  after(async function () {
    this.timeout(180_000);
    for (const release of releases.reverse()) {
      await helm(['uninstall', release, '--namespace', ns.name, '--wait']).catch(() => undefined);
    }
    for (const claim of CLAIMS) {
      await runKubectl([
        'delete',
        'pv',
        `${ns.name}-${claim}`,
        '--ignore-not-found',
        '--wait=false',
      ]);
    }
  });
  const ns = useTestNamespace('charts-install', {
    labels: { 'pod-security.kubernetes.io/enforce': 'restricted' },
  });

  before(async function () {
    this.timeout(60_000);
    ingressClass = `shoal-${ns.name}`.slice(0, 63);
    for (const claim of CLAIMS) {
      const volume = {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: {
          name: `${ns.name}-${claim}`,
          labels: { 'testbed.shoal.dev/test-namespace': 'true' },
        },
        spec: {
          capacity: { storage: '2Gi' },
          accessModes: ['ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Delete',
          hostPath: { path: `/tmp/${ns.name}/${claim}` },
          claimRef: { namespace: ns.name, name: claim },
        },
      };
      await runKubectl(['apply', '-f', '-'], { input: JSON.stringify(volume) });
    }
  });

  async function install(release: string, chart: string, extra: string[] = []): Promise<void> {
    releases.push(release);
    await helm([
      'upgrade',
      '--install',
      release,
      chartDir(chart),
      '--namespace',
      ns.name,
      '--wait',
      '--timeout',
      '4m',
      ...extra,
    ]);
  }

  /** The platform as the tests install it: the testbed serves metrics.k8s.io already (its own metrics-server). */
  function platformArgs(): string[] {
    return [
      '--set',
      'metricsServer.enabled=false',
      '--set',
      'prometheus.enabled=true',
      '--set',
      'grafana.enabled=true',
      '--set',
      `ingressClassName=${ingressClass}`,
    ];
  }

  async function workloads(): Promise<Workload[]> {
    const { stdout } = await runKubectl([
      'get',
      'deployments,statefulsets',
      '-n',
      ns.name,
      '-o',
      'json',
    ]);
    return (JSON.parse(stdout) as { items: Workload[] }).items;
  }

  async function secretData(name: string): Promise<Record<string, string>> {
    const { stdout } = await runKubectl(['get', 'secret', name, '-n', ns.name, '-o', 'json']);
    return (JSON.parse(stdout) as { data: Record<string, string> }).data;
  }

  it('When the platform is installed, then its StatefulSets and Deployments are ready', async () => {
    await install('platform', 'platform', platformArgs());
    const ready = await workloads();
    assert.deepEqual(ready.map((w) => w.metadata.name).sort(), [
      'shoal-elasticmq',
      'shoal-grafana',
      'shoal-jaeger',
      'shoal-mailpit',
      'shoal-mongodb',
      'shoal-otel-collector',
      'shoal-postgresql',
      'shoal-prometheus',
      'shoal-redis',
    ]);
    for (const workload of ready) {
      assert.equal(
        workload.status.readyReplicas,
        workload.spec.replicas,
        `${workload.metadata.name} ready`,
      );
    }
  });

  it('When every service chart and the gateway are installed, then each is ready and its HPA raises it to the minimum', async () => {
    for (const chart of APP_CHARTS) {
      const classValue =
        chart === 'gateway' ? 'ingressController.className' : 'global.ingressClassName';
      await install(chart, chart, ['--set', `${classValue}=${ingressClass}`]);
    }
    const deployments = (await workloads()).filter((w) => APP_CHARTS.includes(w.metadata.name));
    assert.equal(deployments.length, APP_CHARTS.length);
    for (const deployment of deployments) {
      assert.ok(
        (deployment.status.availableReplicas ?? 0) >= 1,
        `${deployment.metadata.name} is available`,
      );
    }
    // The chart renders no replicas (the API server's default is 1): the HPA owns the count.
    await runKubectl(
      [
        'wait',
        'deployment',
        '-l',
        'app.kubernetes.io/part-of=shoal',
        '-n',
        ns.name,
        '--for=jsonpath={.status.availableReplicas}=2',
        '--timeout=120s',
      ],
      { timeoutMs: 130_000 },
    );
    const { stdout } = await runKubectl(['get', 'hpa', '-n', ns.name, '-o', 'name']);
    assert.equal(stdout.trim().split('\n').length, APP_CHARTS.length);
  });

  it('When the gateway is installed, then its IngressClass is served by shoal.dev/gateway and every service route uses it', async () => {
    const { stdout } = await runKubectl([
      'get',
      'ingressclass',
      ingressClass,
      '-o',
      'jsonpath={.spec.controller}',
    ]);
    assert.equal(stdout, 'shoal.dev/gateway');
    const ingresses = await runKubectl([
      'get',
      'ingress',
      '-n',
      ns.name,
      '-o',
      'jsonpath={range .items[*]}{.spec.ingressClassName}{"\\n"}{end}',
    ]);
    const classes = ingresses.stdout.trim().split('\n');
    assert.ok(classes.length >= APP_CHARTS.length - 1);
    assert.ok(classes.every((name) => name === ingressClass));
    const canWatch = await runKubectl([
      'auth',
      'can-i',
      'watch',
      'ingresses.networking.k8s.io',
      '--all-namespaces',
      `--as=system:serviceaccount:${ns.name}:gateway`,
    ]);
    assert.equal(canWatch.stdout.trim(), 'yes');
    const canUpdateStatus = await runKubectl([
      'auth',
      'can-i',
      'update',
      'ingresses.networking.k8s.io',
      '--subresource=status',
      '-n',
      'default',
      `--as=system:serviceaccount:${ns.name}:gateway`,
    ]);
    assert.equal(canUpdateStatus.stdout.trim(), 'yes');
  });

  it('When the releases are upgraded again, then generated credentials keep their values', async () => {
    const before = {
      key: await secretData('auth-generated'),
      database: await secretData('shoal-auth-postgresql'),
    };
    await install('platform', 'platform', platformArgs());
    await install('auth', 'auth', ['--set', `global.ingressClassName=${ingressClass}`]);
    assert.deepEqual(await secretData('auth-generated'), before.key);
    assert.deepEqual(await secretData('shoal-auth-postgresql'), before.database);
    // The variable holds base64 text (auth wants `openssl rand -base64 32`); Secret data base64s it again.
    const variable = Buffer.from(before.key.AUTH_KEY_ENCRYPTION_KEY ?? '', 'base64').toString(
      'utf8',
    );
    assert.equal(Buffer.from(variable, 'base64').length, 32);
  });
});

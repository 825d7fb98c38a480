import assert from 'node:assert/strict';
import {
  APP_CHARTS,
  SERVICE_CHARTS,
  field,
  gatewayAdminPaths,
  kitServicePaths,
  ofKind,
  onlyOfKind,
  renderChart,
  scenariosOf,
  selects,
} from '../src/index.ts';
import type { Manifest } from '../src/index.ts';

interface ContainerPort {
  name: string;
  containerPort: number;
}
interface Probe {
  httpGet: { path: string; port: string };
}
interface Container {
  name: string;
  ports: ContainerPort[];
  startupProbe: Probe;
  livenessProbe: Probe;
  readinessProbe: Probe;
  securityContext: Record<string, unknown>;
  volumeMounts: { name: string; mountPath: string }[];
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
  resources: { requests?: { cpu?: string; memory?: string } };
}

function podLabels(deployment: Manifest): Record<string, string> {
  return field<Record<string, string>>(deployment, 'spec.template.metadata.labels') ?? {};
}

function container(deployment: Manifest): Container {
  const containers = field<Container[]>(deployment, 'spec.template.spec.containers') ?? [];
  assert.equal(containers.length, 1, 'one container per pod');
  return containers[0] as Container;
}

function minReplicas(objects: Manifest[], deployment: Manifest): number {
  const hpa = ofKind(objects, 'HorizontalPodAutoscaler')[0];
  return hpa
    ? (field<number>(hpa, 'spec.minReplicas') ?? 0)
    : (field<number>(deployment, 'spec.replicas') ?? 1);
}

const prefixOf = new Map(SERVICE_CHARTS.map((chart) => [chart.name, chart.apiPrefix]));

for (const chart of APP_CHARTS) {
  describe(`the ${chart} chart, rendered`, () => {
    for (const scenario of scenariosOf(chart)) {
      describe(`with ${scenario.name} values`, () => {
        let objects: Manifest[];
        let deployment: Manifest;
        before(async () => {
          objects = await renderChart(chart, scenario.options);
          deployment = onlyOfKind(objects, 'Deployment');
        });

        it('When an HPA is rendered, then the Deployment has no replicas (and has them otherwise)', () => {
          const hpas = ofKind(objects, 'HorizontalPodAutoscaler');
          const replicas = field(deployment, 'spec.replicas');
          if (hpas.length === 1) {
            assert.equal(replicas, undefined);
            const hpa = hpas[0] as Manifest;
            assert.equal(field(hpa, 'apiVersion'), 'autoscaling/v2');
            assert.equal(field(hpa, 'spec.scaleTargetRef.name'), deployment.metadata.name);
            const metrics = field<{ resource: { name: string } }[]>(hpa, 'spec.metrics') ?? [];
            assert.deepEqual(metrics.map((m) => m.resource.name).sort(), ['cpu', 'memory']);
            assert.ok(
              (field<number>(hpa, 'spec.behavior.scaleDown.stabilizationWindowSeconds') ?? 0) > 0,
            );
            assert.ok(
              container(deployment).resources.requests?.cpu,
              'CPU utilization needs a CPU request',
            );
          } else {
            assert.equal(hpas.length, 0);
            assert.equal(typeof replicas, 'number');
          }
        });

        it('When fewer than two replicas can run, then no PodDisruptionBudget is rendered; otherwise one selects the pods', () => {
          const pdbs = ofKind(objects, 'PodDisruptionBudget');
          if (minReplicas(objects, deployment) < 2) {
            assert.equal(pdbs.length, 0);
            return;
          }
          assert.equal(pdbs.length, 1);
          const pdb = pdbs[0] as Manifest;
          assert.ok(selects(field(pdb, 'spec.selector.matchLabels'), podLabels(deployment)));
          assert.ok((field<number>(pdb, 'spec.maxUnavailable') ?? 0) >= 1);
        });

        it('When the pod is admitted, then it meets the restricted Pod Security level with a writable /tmp only', () => {
          const pod = field<Record<string, unknown>>(deployment, 'spec.template.spec') ?? {};
          assert.equal(field(pod, 'securityContext.runAsNonRoot'), true);
          assert.equal(field(pod, 'securityContext.seccompProfile.type'), 'RuntimeDefault');
          const app = container(deployment);
          assert.equal(app.securityContext.allowPrivilegeEscalation, false);
          assert.equal(app.securityContext.readOnlyRootFilesystem, true);
          assert.deepEqual(field(app.securityContext, 'capabilities.drop'), ['ALL']);
          const tmp = app.volumeMounts.find((mount) => mount.mountPath === '/tmp');
          assert.ok(tmp, '/tmp is mounted');
          const volumes = field<{ name: string; emptyDir?: object }[]>(pod, 'volumes') ?? [];
          assert.ok(
            volumes.find((volume) => volume.name === tmp.name)?.emptyDir,
            '/tmp is an emptyDir',
          );
        });

        it('When the probes run, then they ask endpoints the app serves on the port it serves them on', () => {
          const app = container(deployment);
          const served = chart === 'gateway' ? gatewayAdminPaths() : kitServicePaths();
          const expectedPort = chart === 'gateway' ? 'admin' : 'http';
          assert.ok(
            served.has('/livez') && served.has('/readyz'),
            `the source serves ${[...served].join(', ')}`,
          );
          for (const probe of [app.startupProbe, app.livenessProbe, app.readinessProbe]) {
            assert.ok(served.has(probe.httpGet.path), `${probe.httpGet.path} is served`);
            assert.equal(probe.httpGet.port, expectedPort);
          }
          assert.equal(app.readinessProbe.httpGet.path, '/readyz');
          assert.equal(app.livenessProbe.httpGet.path, '/livez');
        });

        it('When ports are named, then Deployment, ConfigMap, Service and Ingress agree on them', () => {
          const app = container(deployment);
          const portsByName = new Map(app.ports.map((port) => [port.name, port.containerPort]));
          const config = onlyOfKind(objects, 'ConfigMap');
          assert.equal(Number(field(config, 'data.PORT')), portsByName.get('http'));
          if (portsByName.has('admin')) {
            assert.equal(Number(field(config, 'data.ADMIN_PORT')), portsByName.get('admin'));
          }
          const service = onlyOfKind(objects, 'Service');
          assert.ok(selects(field(service, 'spec.selector'), podLabels(deployment)));
          const servicePorts =
            field<{ name: string; port: number; targetPort: string }[]>(service, 'spec.ports') ??
            [];
          for (const port of servicePorts) {
            assert.ok(
              portsByName.has(port.targetPort),
              `Service port ${port.name} targets ${port.targetPort}`,
            );
          }
          for (const ingress of ofKind(objects, 'Ingress')) {
            const paths = field<
              { backend: { service: { name: string; port: { number?: number } } } }[]
            >(ingress, 'spec.rules.0.http.paths');
            const httpPort = servicePorts.find((port) => port.name === 'http');
            for (const path of paths ?? []) {
              assert.equal(path.backend.service.name, service.metadata.name);
              // By number: the gateway refuses port names (ingress/src/routes/ingress-routes.ts).
              assert.equal(path.backend.service.port.number, httpPort?.port);
            }
          }
        });

        it('When the pod is stopped, then the grace period covers the preStop sleep, the kit delay, its drain and cleanup', () => {
          const config = onlyOfKind(objects, 'ConfigMap');
          const preStop = container(deployment).lifecycle?.preStop?.sleep?.seconds ?? 0;
          const delayMs = Number(field(config, 'data.SHUTDOWN_DELAY_MS'));
          const drainMs = Number(field(config, 'data.SHUTDOWN_TIMEOUT_MS'));
          const grace =
            field<number>(deployment, 'spec.template.spec.terminationGracePeriodSeconds') ?? 30;
          assert.ok(
            preStop > 0 || delayMs > 0,
            'something keeps the pod serving while endpoints update',
          );
          // 2 s: the kit's cleanup grace for pools and telemetry (services/kit/src/lifecycle).
          assert.ok(
            grace >= preStop + (delayMs + drainMs) / 1000 + 2,
            `grace ${grace}s is too short`,
          );
        });

        it('When the pods are spread, then the constraint selects this app and skew is counted per revision', () => {
          const spread = field<
            { labelSelector: { matchLabels: Record<string, string> }; matchLabelKeys: string[] }[]
          >(deployment, 'spec.template.spec.topologySpreadConstraints');
          for (const constraint of spread ?? []) {
            assert.ok(selects(constraint.labelSelector.matchLabels, podLabels(deployment)));
            assert.deepEqual(constraint.matchLabelKeys, ['pod-template-hash']);
          }
        });

        it('When an Ingress is rendered, then it is of class shoal on the global host under the API prefix with a valid auth policy', () => {
          const ingresses = ofKind(objects, 'Ingress');
          if (chart === 'gateway' || scenario.options.set?.['ingress.enabled'] === false) {
            assert.equal(ingresses.length, 0);
            return;
          }
          assert.ok(ingresses.length >= 1);
          const prefix = prefixOf.get(chart) ?? '';
          for (const ingress of ingresses) {
            assert.equal(field(ingress, 'spec.ingressClassName'), 'shoal');
            const host = field<string>(ingress, 'spec.rules.0.host') ?? '';
            assert.match(host, /^(shoal\.localtest\.me|api\.shoal\.example\.com)$/);
            const paths = field<{ path: string }[]>(ingress, 'spec.rules.0.http.paths') ?? [];
            for (const { path } of paths)
              assert.ok(path.startsWith(prefix), `${path} is under ${prefix}`);
            assert.match(
              ingress.metadata.annotations?.['shoal.dev/auth'] ?? '',
              /^(required|optional|none)$/,
            );
          }
          const main = ingresses.find(
            (ingress) => ingress.metadata.name === deployment.metadata.name,
          );
          assert.equal(field(main, 'spec.rules.0.http.paths.0.path'), prefix);
        });

        it('When a NetworkPolicy is rendered, then it denies by default and selects exactly the app pods, not the test pod', () => {
          const policies = ofKind(objects, 'NetworkPolicy');
          if (scenario.options.set?.['networkPolicy.enabled'] === false) {
            assert.equal(policies.length, 0);
            return;
          }
          const policy = onlyOfKind(objects, 'NetworkPolicy');
          assert.deepEqual(field(policy, 'spec.policyTypes'), ['Ingress', 'Egress']);
          assert.ok(selects(field(policy, 'spec.podSelector.matchLabels'), podLabels(deployment)));
          for (const pod of ofKind(objects, 'Pod')) {
            assert.ok(!selects(field(policy, 'spec.podSelector.matchLabels'), pod.metadata.labels));
          }
        });

        it('When the helm test pod runs, then the Service does not route to it and it asks /readyz', () => {
          const tests = ofKind(objects, 'Pod');
          if (scenario.options.set?.['tests.enabled'] === false) {
            assert.equal(tests.length, 0);
            return;
          }
          const test = onlyOfKind(objects, 'Pod');
          assert.equal(test.metadata.annotations?.['helm.sh/hook'], 'test');
          const service = onlyOfKind(objects, 'Service');
          assert.ok(!selects(field(service, 'spec.selector'), test.metadata.labels));
          assert.match(JSON.stringify(field(test, 'spec.containers.0.command')), /\/readyz/);
        });

        it('When the ServiceAccount is made, then only the gateway mounts an API token', () => {
          const mounts = field<boolean>(
            deployment,
            'spec.template.spec.automountServiceAccountToken',
          );
          assert.equal(mounts, chart === 'gateway');
        });

        it('When any object is rendered, then it carries the standard labels', () => {
          for (const object of objects) {
            const labels = object.metadata.labels ?? {};
            for (const key of [
              'app.kubernetes.io/name',
              'app.kubernetes.io/instance',
              'app.kubernetes.io/managed-by',
              'helm.sh/chart',
            ]) {
              assert.ok(labels[key], `${object.kind}/${object.metadata.name} has ${key}`);
            }
          }
        });
      });
    }
  });
}

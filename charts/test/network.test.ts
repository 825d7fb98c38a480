import assert from 'node:assert/strict';
import { ALL_CHARTS, APP_CHARTS, field, ofKind, renderChart, selects } from '../src/index.ts';
import type { Manifest } from '../src/index.ts';

interface Peer {
  podSelector?: { matchLabels?: Record<string, string> };
  namespaceSelector?: object;
  ipBlock?: { cidr: string };
}
interface Rule {
  from?: Peer[];
  to?: Peer[];
  ports?: { port: number | string }[];
}

/** A pod template of the whole platform: its labels and its container ports. */
interface PodTemplate {
  owner: string;
  labels: Record<string, string>;
  ports: Map<string, number>;
}

function podTemplates(objects: Manifest[]): PodTemplate[] {
  return objects
    .filter((object) => object.kind === 'Deployment' || object.kind === 'StatefulSet')
    .map((workload) => {
      const ports = new Map<string, number>();
      const containers = field<{ ports?: { name: string; containerPort: number }[] }[]>(
        workload,
        'spec.template.spec.containers',
      );
      for (const container of containers ?? []) {
        for (const port of container.ports ?? []) ports.set(port.name, port.containerPort);
      }
      return {
        owner: `${workload.kind}/${workload.metadata.name}`,
        labels: field<Record<string, string>>(workload, 'spec.template.metadata.labels') ?? {},
        ports,
      };
    });
}

describe('NetworkPolicies across the charts (default values, one namespace)', () => {
  const rendered = new Map<string, Manifest[]>();
  let pods: PodTemplate[];
  before(async () => {
    for (const chart of ALL_CHARTS) rendered.set(chart, await renderChart(chart));
    // With the platform's optional Prometheus, so the metrics-scraper rules are checked too.
    rendered.set(
      'platform',
      await renderChart('platform', {
        set: { 'prometheus.enabled': true, 'grafana.enabled': true },
      }),
    );
    pods = [...rendered.values()].flatMap(podTemplates);
  });

  const selected = (peer: Peer): PodTemplate[] =>
    pods.filter((pod) => selects(peer.podSelector?.matchLabels, pod.labels));

  for (const chart of APP_CHARTS) {
    it(`When ${chart}'s policy allows a peer pod in or out, then that selector matches real pods of the platform`, () => {
      const policy = ofKind(rendered.get(chart) ?? [], 'NetworkPolicy')[0];
      assert.ok(policy, `${chart} renders a NetworkPolicy`);
      const rules = [
        ...(field<Rule[]>(policy, 'spec.ingress') ?? []).flatMap((rule) => rule.from ?? []),
        ...(field<Rule[]>(policy, 'spec.egress') ?? []).flatMap((rule) => rule.to ?? []),
      ];
      for (const peer of rules) {
        const labels = peer.podSelector?.matchLabels ?? {};
        // Outside this render: kube-dns and the helm test pod (checked in render.test.ts).
        if (labels['k8s-app'] === 'kube-dns') continue;
        if (labels['app.kubernetes.io/name']?.endsWith('-test')) continue;
        if (peer.ipBlock) continue;
        assert.ok(selected(peer).length > 0, `${JSON.stringify(labels)} selects no pod`);
      }
    });

    it(`When ${chart}'s policy lets it reach a pod, then the allowed port is one that pod listens on`, () => {
      const policy = ofKind(rendered.get(chart) ?? [], 'NetworkPolicy')[0];
      for (const rule of field<Rule[]>(policy, 'spec.egress') ?? []) {
        for (const peer of rule.to ?? []) {
          if (peer.ipBlock || peer.podSelector?.matchLabels?.['k8s-app'] === 'kube-dns') continue;
          for (const pod of selected(peer)) {
            const listening = [...pod.ports.values()];
            const allowed = (rule.ports ?? []).map((port) => port.port);
            assert.ok(
              allowed.some((port) => listening.includes(Number(port))),
              `${chart} may reach ${pod.owner} on ${allowed.join(',')}, it listens on ${listening.join(',')}`,
            );
          }
        }
      }
    });
  }

  it('When the gateway routes to a service, then both policies let the request through', () => {
    const gateway = pods.find((pod) => pod.labels['app.kubernetes.io/name'] === 'gateway');
    assert.ok(gateway);
    const gatewayPolicy = ofKind(rendered.get('gateway') ?? [], 'NetworkPolicy')[0];
    const gatewayEgress = field<Rule[]>(gatewayPolicy, 'spec.egress') ?? [];
    for (const chart of APP_CHARTS.filter((name) => name !== 'gateway')) {
      const service = pods.find((pod) => pod.labels['app.kubernetes.io/name'] === chart);
      assert.ok(service, `${chart} has pods`);
      const httpPort = service.ports.get('http');
      const out = gatewayEgress.some(
        (rule) =>
          (rule.to ?? []).some((peer) => selects(peer.podSelector?.matchLabels, service.labels)) &&
          (rule.ports ?? []).some((port) => Number(port.port) === httpPort),
      );
      assert.ok(out, `the gateway may send to ${chart}:${httpPort}`);
      const policy = ofKind(rendered.get(chart) ?? [], 'NetworkPolicy')[0];
      const into = (field<Rule[]>(policy, 'spec.ingress') ?? []).some(
        (rule) =>
          (rule.from ?? []).some((peer) =>
            selects(peer.podSelector?.matchLabels, gateway.labels),
          ) && (rule.ports ?? []).some((port) => port.port === 'http'),
      );
      assert.ok(into, `${chart} accepts the gateway on its http port`);
    }
  });

  it("When a service may reach a data store, then that store's policy admits it on that port (and admits nothing from other namespaces)", () => {
    const storePolicies = ofKind(rendered.get('platform') ?? [], 'NetworkPolicy');
    const stores = ['postgresql', 'mongodb', 'redis', 'elasticmq'];
    for (const store of stores) {
      const policy = storePolicies.find((p) => p.metadata.name === `shoal-${store}`);
      assert.ok(policy, `the platform chart renders a NetworkPolicy for ${store}`);
    }
    for (const chart of APP_CHARTS) {
      const client = pods.find((pod) => pod.labels['app.kubernetes.io/name'] === chart);
      assert.ok(client, `${chart} has pods`);
      const policy = ofKind(rendered.get(chart) ?? [], 'NetworkPolicy')[0];
      for (const rule of field<Rule[]>(policy, 'spec.egress') ?? []) {
        for (const peer of rule.to ?? []) {
          const name = peer.podSelector?.matchLabels?.['app.kubernetes.io/name'];
          if (name === undefined || !stores.includes(name)) continue;
          const storePolicy = storePolicies.find((p) => p.metadata.name === `shoal-${name}`);
          const ingress = field<Rule[]>(storePolicy, 'spec.ingress') ?? [];
          const admitted = ingress.some(
            (r) =>
              (r.from ?? []).some(
                (from) =>
                  from.namespaceSelector === undefined &&
                  selects(from.podSelector?.matchLabels, client.labels),
              ) &&
              (r.ports ?? []).some((port) => (rule.ports ?? []).some((p) => p.port === port.port)),
          );
          assert.ok(admitted, `${name}'s NetworkPolicy admits ${chart}`);
          for (const r of ingress) {
            for (const from of r.from ?? []) {
              assert.equal(from.namespaceSelector, undefined, `${name} admits other namespaces`);
            }
          }
        }
      }
    }
  });

  it('When a service admits the gateway, then only the gateway of its own namespace', () => {
    for (const chart of APP_CHARTS.filter((name) => name !== 'gateway')) {
      const policy = ofKind(rendered.get(chart) ?? [], 'NetworkPolicy')[0];
      for (const rule of field<Rule[]>(policy, 'spec.ingress') ?? []) {
        for (const peer of rule.from ?? []) {
          if (peer.podSelector?.matchLabels?.['app.kubernetes.io/name'] !== 'gateway') continue;
          assert.equal(peer.namespaceSelector, undefined, `${chart} admits a gateway elsewhere`);
        }
      }
    }
  });

  it('When a service references a Secret, then the platform chart generates it with that key (unless optional)', () => {
    const secrets = ofKind(rendered.get('platform') ?? [], 'Secret');
    for (const chart of APP_CHARTS) {
      const deployment = ofKind(rendered.get(chart) ?? [], 'Deployment')[0];
      const env =
        field<
          {
            name: string;
            valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
          }[]
        >(deployment, 'spec.template.spec.containers.0.env') ?? [];
      const chartSecrets = ofKind(rendered.get(chart) ?? [], 'Secret');
      for (const variable of env) {
        const ref = variable.valueFrom?.secretKeyRef;
        if (!ref || ref.optional) continue;
        const secret = [...secrets, ...chartSecrets].find((s) => s.metadata.name === ref.name);
        assert.ok(
          secret,
          `${chart}'s ${variable.name} refers to Secret ${ref.name}, which nothing makes`,
        );
        const keys = Object.keys({
          ...field<object>(secret, 'stringData'),
          ...field<object>(secret, 'data'),
        });
        assert.ok(keys.includes(ref.key), `Secret ${ref.name} has no key ${ref.key}`);
      }
    }
  });
});

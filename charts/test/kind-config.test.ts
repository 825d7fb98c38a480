import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_DIR, field, onlyOfKind, renderChart } from '../src/index.ts';

interface KindNode {
  role: string;
  image: string;
  labels?: Record<string, string>;
  extraPortMappings?: { containerPort: number; hostPort: number }[];
}

describe('kind-config.yaml and the gateway chart on kind', () => {
  const config = parse(readFileSync(join(REPO_DIR, 'kind-config.yaml'), 'utf8')) as {
    nodes: KindNode[];
  };

  it('When the cluster is made, then it has one ingress-ready control plane and two workers on a pinned image of the testbed minor', () => {
    assert.deepEqual(
      config.nodes.map((node) => node.role),
      ['control-plane', 'worker', 'worker'],
    );
    assert.equal(config.nodes[0]?.labels?.['ingress-ready'], 'true');
    const versions = readFileSync(join(REPO_DIR, 'testbed/kube/versions.sh'), 'utf8');
    const minor = /^KUBE_MINOR=(\d+)/m.exec(versions)?.[1];
    for (const node of config.nodes) {
      assert.match(
        node.image,
        new RegExp(`^kindest/node:v1\\.${minor}\\.\\d+@sha256:[a-f0-9]{64}$`),
      );
    }
  });

  it('When a client calls localhost:80, then the port mapping leads to the gateway Service rendered with values-kind.yaml', async () => {
    const objects = await renderChart('gateway', { valuesFiles: ['values-kind.yaml'] });
    const service = onlyOfKind(objects, 'Service');
    assert.equal(field(service, 'spec.type'), 'NodePort');
    const nodePort = field<{ name: string; nodePort?: number }[]>(service, 'spec.ports')?.find(
      (port) => port.name === 'http',
    )?.nodePort;
    const mapping = config.nodes[0]?.extraPortMappings?.find((port) => port.hostPort === 80);
    assert.equal(mapping?.containerPort, nodePort);
    assert.ok(config.nodes[0]?.extraPortMappings?.some((port) => port.hostPort === 443));
    const deployment = onlyOfKind(objects, 'Deployment');
    assert.deepEqual(field(deployment, 'spec.template.spec.nodeSelector'), {
      'ingress-ready': 'true',
    });
  });
});

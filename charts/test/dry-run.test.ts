import assert from 'node:assert/strict';
import { runKubectl, useTestNamespace } from '@shoal/testbed';
import { ALL_CHARTS, renderChart, scenariosOf } from '../src/index.ts';
import type { Manifest } from '../src/index.ts';

/** Kinds whose API the testbed does not serve (no prometheus-operator CRDs there). */
const UNSERVED_KINDS = new Set(['ServiceMonitor']);

/** Server-side applies objects in dry-run mode, grouped by the namespace they name; returns kubectl's warnings. */
async function dryRunApply(objects: Manifest[], namespace: string): Promise<string> {
  const groups = new Map<string, Manifest[]>();
  for (const object of objects) {
    const target = object.metadata.namespace ?? namespace;
    groups.set(target, [...(groups.get(target) ?? []), object]);
  }
  let warnings = '';
  for (const [target, group] of groups) {
    // JSON documents: no YAML version question on the way back to the API server.
    const input = group.map((object) => JSON.stringify(object)).join('\n---\n');
    const result = await runKubectl(
      [
        'apply',
        '--server-side',
        '--force-conflicts',
        '--field-manager=shoal-chart-test',
        '--dry-run=server',
        '-n',
        target,
        '-f',
        '-',
      ],
      { input },
    );
    warnings += result.stderr;
  }
  return warnings;
}

describe('every chart, validated by the kube-apiserver (server-side dry-run, Pod Security restricted)', () => {
  const ns = useTestNamespace('charts-dry-run', {
    labels: {
      'pod-security.kubernetes.io/enforce': 'restricted',
      // enforce checks Pods only; warn also reports Deployment and StatefulSet templates.
      'pod-security.kubernetes.io/warn': 'restricted',
    },
  });

  for (const chart of ALL_CHARTS) {
    for (const scenario of scenariosOf(chart)) {
      it(`When ${chart} with ${scenario.name} values is applied, then the API server accepts every object without a Pod Security warning`, async () => {
        const objects = await renderChart(chart, { ...scenario.options, namespace: ns.name });
        const served = objects.filter((object) => !UNSERVED_KINDS.has(object.kind));
        assert.ok(served.length > 0);
        const warnings = await dryRunApply(served, ns.name);
        assert.doesNotMatch(warnings, /PodSecurity|violate/i, warnings);
      });
    }
  }
});

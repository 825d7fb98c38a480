// The repository's platform, made to deploy into one namespace of the Kubernetes testbed: its
// own ingress class (the gateway's IngressClass is cluster-scoped), no second metrics-server
// (the testbed runs one), and PersistentVolumes bound up front to the StatefulSets' claims
// (the testbed has no storage provisioner). The same file feeds shoal and the helm reference.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));

/** The claims the platform chart's StatefulSets make. */
export const PLATFORM_CLAIMS = ['data-shoal-postgresql-0', 'data-shoal-mongodb-0'];

/** Writes the platform file for `namespace` (environment `bench`); returns its path. */
export function writeBenchPlatform(namespace: string): string {
  const spec = parse(readFileSync(join(REPO, 'shoal.yaml'), 'utf8')) as {
    namespace: string;
    defaultEnvironment?: string;
    releases: { name: string; chart: string; values?: Record<string, unknown> }[];
    environments?: Record<string, unknown>;
  };
  const ingressClass = `shoal-${namespace}`.slice(0, 63);
  spec.namespace = namespace;
  delete spec.defaultEnvironment;
  delete spec.environments;
  for (const release of spec.releases) {
    release.chart = resolve(REPO, release.chart);
    const own =
      release.name === 'platform'
        ? { metricsServer: { enabled: false }, ingressClassName: ingressClass }
        : release.name === 'gateway'
          ? { ingressController: { className: ingressClass } }
          : { global: { ingressClassName: ingressClass } };
    release.values = { ...release.values, ...own };
  }
  const file = join(mkdtempSync(join(tmpdir(), 'shoal-bench-')), 'shoal.yaml');
  writeFileSync(file, stringify(spec));
  return file;
}

/** A PersistentVolume bound to one of the platform's claims in `namespace`. */
export function claimVolume(namespace: string, claim: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: {
      name: `${namespace}-${claim}`,
      labels: { 'testbed.shoal.dev/test-namespace': 'true' },
    },
    spec: {
      capacity: { storage: '2Gi' },
      accessModes: ['ReadWriteOnce'],
      persistentVolumeReclaimPolicy: 'Retain',
      hostPath: { path: `/tmp/${namespace}/${claim}` },
      claimRef: { namespace, name: claim },
    },
  };
}

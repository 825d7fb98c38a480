// The repository's shoal.yaml, made to run in one test namespace of the testbed: absolute chart
// paths, and per-namespace ingress classes (the gateway's IngressClass is cluster-scoped), plus
// environments that make pods misbehave through the testbed's kwok behaviour label.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));

/** The claims the platform's StatefulSets make: the testbed has no provisioner, so tests bind PVs to them. */
export const PLATFORM_CLAIMS = ['data-shoal-postgresql-0', 'data-shoal-mongodb-0'];

/** Writes the test platform file for `namespace`; returns its path. */
export function writeTestPlatform(namespace: string): string {
  const spec = parse(readFileSync(join(REPO, 'shoal.yaml'), 'utf8')) as {
    defaultEnvironment?: string;
    releases: { name: string; chart: string; values?: Record<string, unknown> }[];
    environments: Record<string, unknown>;
  };
  const ingressClass = `shoal-${namespace}`.slice(0, 63);
  delete spec.defaultEnvironment;
  for (const release of spec.releases) {
    release.chart = resolve(REPO, release.chart);
    const classValues: Record<string, unknown> =
      release.name === 'platform'
        ? { metricsServer: { enabled: false }, ingressClassName: ingressClass }
        : release.name === 'gateway'
          ? { ingressController: { className: ingressClass } }
          : { global: { ingressClassName: ingressClass } };
    release.values = { ...release.values, ...classValues };
  }
  const behaviour = (value: string) => ({
    values: { podLabels: { 'testbed.shoal.dev/behavior': value } },
  });
  spec.environments = {
    // user's pods crash (exit 1, CrashLoopBackOff).
    'user-crashes': { releases: { user: behaviour('crash-loop') } },
    // reporting's image cannot be pulled.
    'reporting-image-missing': { releases: { reporting: behaviour('image-pull-failure') } },
    // notification's pods run but never become ready (a readiness probe that keeps failing).
    'notification-never-ready': { releases: { notification: behaviour('never-ready') } },
    // event no longer renders its Ingress.
    'event-without-ingress': { releases: { event: { values: { ingress: { enabled: false } } } } },
  };
  const directory = mkdtempSync(join(tmpdir(), 'shoal-test-'));
  const file = join(directory, 'shoal.yaml');
  writeFileSync(file, stringify(spec));
  return file;
}

/** A PersistentVolume bound up front to one of the platform's claims in `namespace`. */
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

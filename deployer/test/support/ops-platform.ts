// A small platform file for the operations verbs' tests (status, scale, reconcile, watch): the
// real auth and user charts, plus event (listed, never deployed by the tests: a "not deployed"
// release), all in one test namespace; an environment makes user's pods crash.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

const CHARTS = fileURLToPath(new URL('../../../charts', import.meta.url));

/** Writes the platform file for `namespace`; returns its path. */
export function writeOpsPlatform(namespace: string): string {
  const ingressClass = `shoal-${namespace}`.slice(0, 63);
  const spec = {
    apiVersion: 'shoal.dev/v1',
    namespace,
    releases: [
      {
        name: 'auth',
        chart: join(CHARTS, 'auth'),
        image: { repository: 'shoal/auth' },
        values: { global: { ingressClassName: ingressClass } },
      },
      {
        name: 'user',
        chart: join(CHARTS, 'user'),
        image: { repository: 'shoal/user' },
        dependsOn: ['auth'],
        values: { global: { ingressClassName: ingressClass } },
      },
      {
        name: 'event',
        chart: join(CHARTS, 'event'),
        dependsOn: ['auth'],
        values: { global: { ingressClassName: ingressClass } },
      },
    ],
    environments: {
      'user-crashes': {
        releases: {
          user: { values: { podLabels: { 'testbed.shoal.dev/behavior': 'crash-loop' } } },
        },
      },
    },
  };
  const file = join(mkdtempSync(join(tmpdir(), 'shoal-ops-')), 'shoal.yaml');
  writeFileSync(file, stringify(spec));
  return file;
}

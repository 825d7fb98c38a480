import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_DIR, field, ofKind, onlyOfKind, renderChart } from '../src/index.ts';
import type { Manifest } from '../src/index.ts';

/** Each app whose code exists, with its config schema (the services being written join as they land). */
const APPS = [
  { chart: 'auth', module: 'services/auth/src/config.ts', schema: 'authConfigSchema' },
  { chart: 'user', module: 'services/user/src/config.ts', schema: 'userConfigSchema' },
  { chart: 'event', module: 'services/event/src/config.ts', schema: 'eventConfigSchema' },
  {
    chart: 'notification',
    module: 'services/notification/src/config.ts',
    schema: 'notificationConfigSchema',
  },
  {
    chart: 'reporting',
    module: 'services/reporting/src/config.ts',
    schema: 'reportingConfigSchema',
  },
  { chart: 'gateway', module: 'ingress/src/config.ts', schema: 'gatewayConfigSchema' },
];

type ParseConfig = (
  schema: unknown,
  sources: { env: Record<string, string>; envFile: false },
) => unknown;

/** The value a secretKeyRef resolves to among rendered Secrets (stringData, or base64 data). */
function secretValue(secrets: Manifest[], name: string, key: string): string | undefined {
  const secret = secrets.find((candidate) => candidate.metadata.name === name);
  const plain = field<Record<string, string>>(secret, 'stringData')?.[key];
  if (plain !== undefined) return plain;
  const encoded = field<Record<string, string>>(secret, 'data')?.[key];
  return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
}

describe("the environment each chart gives its app, parsed by the app's own config schema", () => {
  let platformSecrets: Manifest[];
  let parseConfig: ParseConfig;
  before(async () => {
    platformSecrets = ofKind(await renderChart('platform'), 'Secret');
    const kit = (await import(
      pathToFileURL(join(REPO_DIR, 'services/kit/src/config/load-config.ts')).href
    )) as { parseConfig: ParseConfig };
    parseConfig = kit.parseConfig;
  });

  for (const app of APPS) {
    it(`When ${app.chart} starts with the chart's ConfigMap and Secrets, then its config schema accepts them`, async function () {
      if (!existsSync(join(REPO_DIR, app.module))) this.skip(); // the service is not written yet
      const objects = await renderChart(app.chart);
      const env: Record<string, string> = {
        ...field<Record<string, string>>(onlyOfKind(objects, 'ConfigMap'), 'data'),
      };
      const secrets = [...platformSecrets, ...ofKind(objects, 'Secret')];
      const variables =
        field<
          {
            name: string;
            valueFrom: { secretKeyRef: { name: string; key: string; optional?: boolean } };
          }[]
        >(onlyOfKind(objects, 'Deployment'), 'spec.template.spec.containers.0.env') ?? [];
      for (const { name, valueFrom } of variables) {
        const value = secretValue(secrets, valueFrom.secretKeyRef.name, valueFrom.secretKeyRef.key);
        if (value === undefined)
          assert.ok(valueFrom.secretKeyRef.optional, `${name} has no Secret`);
        else env[name] = value;
      }
      const module = (await import(pathToFileURL(join(REPO_DIR, app.module)).href)) as Record<
        string,
        unknown
      >;
      assert.ok(module[app.schema], `${app.module} exports ${app.schema}`);
      // Throws the kit's one-line error naming every bad variable.
      parseConfig(module[app.schema], { env, envFile: false });
    });
  }
});

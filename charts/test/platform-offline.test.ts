import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_DIR, chartDir, field, ofKind, renderChart, runHelm } from '../src/index.ts';
import type { Manifest } from '../src/index.ts';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface Container {
  image: string;
  env?: EnvVar[];
  readinessProbe?: Record<string, unknown>;
  volumeMounts?: { name: string; mountPath: string }[];
}

function containers(objects: Manifest[]): Container[] {
  return [...ofKind(objects, 'Deployment'), ...ofKind(objects, 'StatefulSet')].flatMap(
    (workload) => field<Container[]>(workload, 'spec.template.spec.containers') ?? [],
  );
}

function mongodb(objects: Manifest[]): Container {
  const statefulSet = ofKind(objects, 'StatefulSet').find(
    (s) => s.metadata.name === 'shoal-mongodb',
  );
  assert.ok(statefulSet, 'the MongoDB StatefulSet');
  const [container] = field<Container[]>(statefulSet, 'spec.template.spec.containers') ?? [];
  assert.ok(container);
  return container;
}

function envOf(container: Container): Map<string, EnvVar> {
  return new Map((container.env ?? []).map((variable) => [variable.name, variable]));
}

function mongoUrls(objects: Manifest[]): Map<string, string> {
  const urls = new Map<string, string>();
  for (const secret of ofKind(objects, 'Secret')) {
    const service = secret.metadata.labels?.['shoal.dev/database-for'];
    if (!secret.metadata.name.endsWith('-mongodb') || !service) continue;
    urls.set(service, field<string>(secret, 'stringData.url') ?? '');
  }
  return urls;
}

const OFFLINE = { valuesFiles: ['values-offline.yaml'] };

describe('the platform chart offline (values-offline.yaml: local images, FerretDB)', () => {
  it('When it is linted with values-offline.yaml, then helm finds nothing to warn about', async () => {
    const result = await runHelm(
      [
        'lint',
        '--strict',
        chartDir('platform'),
        '-f',
        `${chartDir('platform')}/values-offline.yaml`,
      ],
      { allowFailure: true },
    );
    assert.equal(result.exitCode, 0, result.stdout + result.stderr);
    assert.doesNotMatch(result.stdout, /\[(WARNING|ERROR)\]/);
  });

  it('When it is rendered, then every image is one that testbed/kind/images.sh builds', async () => {
    const built = execFileSync(join(REPO_DIR, 'testbed/kind/images.sh'), ['list'], {
      encoding: 'utf8',
    })
      .trim()
      .split('\n');
    const images = containers(await renderChart('platform', OFFLINE)).map((c) => c.image);
    assert.ok(images.length >= 8, `every part renders (${images.join(', ')})`);
    for (const image of images)
      assert.ok(built.includes(image), `${image} is not in images.sh list`);
  });

  it('When mongodb.flavor is ferretdb, then FerretDB gets its configuration, the users to create and a ping probe, and no mongo init', async () => {
    const objects = await renderChart('platform', OFFLINE);
    const container = mongodb(objects);
    const env = envOf(container);
    assert.equal(env.get('FERRETDB_HANDLER')?.value, 'sqlite');
    assert.equal(env.get('FERRETDB_SQLITE_URL')?.value, 'file:/data/db/');
    assert.equal(env.get('FERRETDB_LISTEN_ADDR')?.value, ':27017');
    assert.equal(env.get('FERRETDB_TELEMETRY')?.value, 'disable');
    assert.equal(env.get('FERRETDB_TEST_ENABLE_NEW_AUTH')?.value, 'true');
    assert.deepEqual(env.get('FERRETDB_SETUP_PASSWORD')?.valueFrom?.secretKeyRef, {
      name: 'shoal-mongodb',
      key: 'password',
    });
    assert.ok(!env.has('MONGO_INITDB_ROOT_PASSWORD'));
    const users = JSON.parse(env.get('SHOAL_FERRETDB_USERS')?.value ?? '[]') as {
      user: string;
      db: string;
      passwordEnv: string;
    }[];
    const urls = mongoUrls(objects);
    assert.deepEqual(users.map((u) => u.user).sort(), [...urls.keys()].sort());
    for (const user of users) {
      // Each user's password is the one in that service's Secret, whose URL signs in as it.
      assert.deepEqual(env.get(user.passwordEnv)?.valueFrom?.secretKeyRef, {
        name: `shoal-${user.user}-mongodb`,
        key: 'password',
      });
      const url = new URL(urls.get(user.user) ?? '');
      assert.equal(url.username, user.user);
      assert.equal(url.pathname, `/${user.db}`);
      assert.equal(url.searchParams.get('authSource'), user.db);
    }
    assert.deepEqual(field(container, 'readinessProbe.exec.command'), ['/ferretdb', 'ping']);
    assert.deepEqual(container.volumeMounts?.map((m) => m.mountPath).sort(), ['/data/db', '/tmp']);
    assert.ok(
      !ofKind(objects, 'ConfigMap').some((c) => c.metadata.name === 'shoal-mongodb-init'),
      'no mongosh init script',
    );
  });

  it('When FerretDB runs without authentication, then the URLs carry no credentials and no user is made', async () => {
    const objects = await renderChart('platform', {
      ...OFFLINE,
      set: { 'mongodb.ferretdb.auth': false },
    });
    const env = envOf(mongodb(objects));
    for (const name of [
      'FERRETDB_TEST_ENABLE_NEW_AUTH',
      'SHOAL_FERRETDB_USERS',
      'FERRETDB_SETUP_PASSWORD',
    ]) {
      assert.ok(!env.has(name), name);
    }
    assert.ok(![...env.keys()].some((name) => name.startsWith('DB_PASSWORD_')));
    assert.deepEqual(field(mongodb(objects), 'readinessProbe.tcpSocket.port'), 'mongodb');
    for (const [service, url] of mongoUrls(objects)) {
      assert.equal(new URL(url).username, '', `${service}: ${url}`);
      assert.match(url, /^mongodb:\/\/shoal-mongodb:27017\/\w+$/);
    }
  });

  it('When the flavour is the default, then the mongo image contract is rendered (init script, mongosh probe)', async () => {
    const objects = await renderChart('platform');
    const container = mongodb(objects);
    const env = envOf(container);
    assert.equal(env.get('MONGO_INITDB_ROOT_USERNAME')?.value, 'root');
    assert.ok(![...env.keys()].some((name) => name.startsWith('FERRETDB_')));
    assert.equal(field<string[]>(container, 'readinessProbe.exec.command')?.[0], 'mongosh');
    assert.ok(ofKind(objects, 'ConfigMap').some((c) => c.metadata.name === 'shoal-mongodb-init'));
    for (const url of mongoUrls(objects).values()) assert.match(url, /^mongodb:\/\/\w+:\w+@/);
  });

  it('When the collector runs Jaeger v2, then its configuration uses healthcheckv2 on the probed port', async () => {
    const objects = await renderChart('platform', OFFLINE);
    const config = ofKind(objects, 'ConfigMap').find(
      (c) => c.metadata.name === 'shoal-otel-collector',
    );
    const text = field<Record<string, string>>(config, 'data')?.['config.yaml'] ?? '';
    assert.match(text, /^ {2}healthcheckv2: \{ endpoint: 0\.0\.0\.0:13133 \}$/m);
    assert.match(text, /extensions: \[healthcheckv2\]/);
    assert.doesNotMatch(text, /health_check/);
    const defaults = await renderChart('platform');
    const defaultConfig = ofKind(defaults, 'ConfigMap').find(
      (c) => c.metadata.name === 'shoal-otel-collector',
    );
    assert.match(JSON.stringify(defaultConfig), /extensions: \[health_check\]/);
  });
});

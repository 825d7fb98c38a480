import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ShoalError } from '../src/errors/shoal-error.ts';
import { loadPlatform, parsePlatformFile, resolvePlatform } from '../src/platform-file/load.ts';
import { dependencyWaves } from '../src/platform-file/platform.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Writes a platform file next to the repo's charts and loads it. */
function load(text: string, options: { environment?: string; namespace?: string } = {}) {
  const directory = mkdtempSync(join(tmpdir(), 'shoal-platform-'));
  const file = join(directory, 'shoal.yaml');
  writeFileSync(file, text.replaceAll('CHARTS', join(REPO, 'charts')));
  return loadPlatform(file, options);
}

function refusal(action: () => unknown): ShoalError {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof ShoalError, String(error));
    return error;
  }
  assert.fail('expected a ShoalError');
}

describe('platform file', () => {
  it("When the repository's shoal.yaml is loaded for every environment, then each resolves all seven releases in three waves", () => {
    const spec = parsePlatformFile(readFileSync(join(REPO, 'shoal.yaml'), 'utf8'), 'shoal.yaml');
    const environments = Object.keys(spec.environments ?? {});
    assert.ok(['kind', 'production', 'testbed'].every((name) => environments.includes(name)));
    for (const environment of [undefined, ...environments]) {
      const platform = loadPlatform(join(REPO, 'shoal.yaml'), { environment });
      assert.equal(platform.releases.length, 7);
      const waves = dependencyWaves(platform.releases).map((wave) =>
        wave.map((release) => release.name),
      );
      assert.deepEqual(waves, [
        ['platform'],
        ['auth', 'gateway'],
        ['user', 'event', 'notification', 'reporting'],
      ]);
    }
    const production = loadPlatform(join(REPO, 'shoal.yaml'), { environment: 'production' });
    assert.ok(
      production.releases.every((release) =>
        release.valuesFiles.some((file) => file.endsWith('values-production.yaml')),
      ),
    );
  });

  it('When an environment overlays a release, then its namespace, values and image win over the base, files come after the base files', () => {
    const platform = load(
      `apiVersion: shoal.dev/v1
namespace: base
releases:
  - name: auth
    chart: CHARTS/auth
    image: { repository: shoal/auth, tag: one }
    values: { replicaCount: 2, config: { LOG_LEVEL: info } }
environments:
  staging:
    namespace: staging
    values: { global: { host: staging.example.com } }
    releases:
      auth:
        image: { tag: two }
        values: { config: { LOG_LEVEL: debug } }
        valuesFiles: [CHARTS/auth/values-production.yaml]
`,
      { environment: 'staging' },
    );
    const [auth] = platform.releases;
    assert.equal(auth?.namespace, 'staging');
    assert.deepEqual(auth?.values, {
      global: { host: 'staging.example.com' },
      replicaCount: 2,
      config: { LOG_LEVEL: 'debug' },
      image: { repository: 'shoal/auth', tag: 'two' },
    });
    assert.equal(auth?.valuesFiles.length, 1);
  });

  it('When --namespace is given, then it puts every release and generated secret there', () => {
    const platform = load(
      `apiVersion: shoal.dev/v1
releases:
  - { name: auth, chart: CHARTS/auth, namespace: elsewhere }
secrets:
  - { name: admin, data: { password: { random: 16 } } }
`,
      { namespace: 'mine' },
    );
    assert.equal(platform.releases[0]?.namespace, 'mine');
    assert.equal(platform.secrets[0]?.namespace, 'mine');
  });

  const invalid: [what: string, text: string, message: RegExp][] = [
    [
      'a misspelt field',
      'apiVersion: shoal.dev/v1\nreleases:\n  - { name: auth, chart: CHARTS/auth, dependOn: [x] }\n',
      /releases\[0\]: Unrecognized key: "dependOn"/i,
    ],
    [
      'a release name with capitals',
      'apiVersion: shoal.dev/v1\nreleases:\n  - { name: Auth, chart: CHARTS/auth }\n',
      /releases\[0\]\.name: must be a DNS label/,
    ],
    [
      'an unknown dependency',
      'apiVersion: shoal.dev/v1\nreleases:\n  - { name: auth, chart: CHARTS/auth, dependsOn: [db] }\n',
      /releases\[0\]\.dependsOn\[0\]: "db" is not another release/,
    ],
    [
      'a dependency cycle',
      'apiVersion: shoal.dev/v1\nreleases:\n  - { name: a, chart: CHARTS/auth, dependsOn: [b] }\n  - { name: b, chart: CHARTS/user, dependsOn: [a] }\n',
      /dependency cycle among: a, b/,
    ],
    [
      'a chart path without a chart',
      'apiVersion: shoal.dev/v1\nreleases:\n  - { name: auth, chart: CHARTS/nothing-here }\n',
      /releases\[0\]\.chart: .* is not a chart directory/,
    ],
    [
      'a wrong apiVersion',
      'apiVersion: v1\nreleases:\n  - { name: auth, chart: CHARTS/auth }\n',
      /apiVersion: /,
    ],
    [
      'no releases',
      'apiVersion: shoal.dev/v1\nreleases: []\n',
      /releases: must list at least one release/,
    ],
    [
      'a release listed twice',
      'apiVersion: shoal.dev/v1\nreleases:\n  - { name: auth, chart: CHARTS/auth }\n  - { name: auth, chart: CHARTS/auth }\n',
      /releases\[1\]\.name: "auth" is listed twice/,
    ],
    ['broken YAML', 'apiVersion: shoal.dev/v1\nreleases: [\n', /not valid YAML/],
    [
      'a secret template naming a later secret',
      'apiVersion: shoal.dev/v1\nreleases:\n  - { name: auth, chart: CHARTS/auth }\nsecrets:\n  - { name: clients, data: { json: { template: "{{ creds.secret }}" } } }\n',
      /secrets\[0\]\.data\.json: \{\{ creds\.secret \}\} must name a key of a Secret listed before it/,
    ],
    [
      'a build argument that is a number',
      'apiVersion: shoal.dev/v1\nreleases:\n  - { name: auth, chart: CHARTS/auth }\nenvironments:\n  offline: { build: { args: { NODE_VERSION: 24 } } }\n',
      /^\S+: environments\.offline\.build\.args\.NODE_VERSION: must be a string \(quote numbers and booleans\)$/,
    ],
    [
      'a build argument name with a dash',
      'apiVersion: shoal.dev/v1\nreleases:\n  - { name: auth, chart: CHARTS/auth }\nenvironments:\n  offline: { build: { args: { NODE-IMAGE: x } } }\n',
      /^\S+: environments\.offline\.build\.args\.NODE-IMAGE: must be a build argument name \(letters, digits and _, not starting with a digit\)$/,
    ],
    [
      'SERVICE as a build argument',
      'apiVersion: shoal.dev/v1\nreleases:\n  - { name: auth, chart: CHARTS/auth }\nenvironments:\n  offline: { build: { args: { SERVICE: auth } } }\n',
      /environments\.offline\.build\.args\.SERVICE: SERVICE is set by shoal up for each image/,
    ],
    [
      'build arguments as a list',
      'apiVersion: shoal.dev/v1\nreleases:\n  - { name: auth, chart: CHARTS/auth }\nenvironments:\n  offline: { build: { args: [NODE_IMAGE=x] } }\n',
      /environments\.offline\.build\.args: Invalid input: expected record, received array/,
    ],
    [
      'a misspelt build field',
      'apiVersion: shoal.dev/v1\nreleases:\n  - { name: auth, chart: CHARTS/auth }\nenvironments:\n  offline: { build: { arg: { NODE_IMAGE: x } } }\n',
      /environments\.offline\.build: Unrecognized key: "arg"/,
    ],
  ];
  for (const [what, text, message] of invalid) {
    it(`When the file has ${what}, then loading fails with exit code 2 and names the field`, () => {
      const error = refusal(() => load(text));
      assert.equal(error.exitCode, 2);
      assert.match(error.message, message);
      assert.doesNotMatch(error.message, /\n/);
    });
  }

  it('When an environment has build.args, then the platform of that environment carries them, and other environments none', () => {
    const text = `apiVersion: shoal.dev/v1
releases:
  - { name: auth, chart: CHARTS/auth }
environments:
  kind: {}
  kind-offline:
    build: { args: { NODE_IMAGE: shoal-offline/node:24, EXTRA_CA: '' } }
`;
    assert.deepEqual(load(text, { environment: 'kind-offline' }).buildArgs, {
      NODE_IMAGE: 'shoal-offline/node:24',
      EXTRA_CA: '',
    });
    assert.deepEqual(load(text, { environment: 'kind' }).buildArgs, {});
    assert.deepEqual(load(text).buildArgs, {});
  });

  it('When an environment is unknown, then the error lists the known ones', () => {
    const spec = parsePlatformFile(
      'apiVersion: shoal.dev/v1\nreleases:\n  - { name: auth, chart: charts/auth }\nenvironments: { kind: {} }\n',
      'x.yaml',
    );
    const error = refusal(() =>
      resolvePlatform(spec, join(REPO, 'shoal.yaml'), { environment: 'prod' }),
    );
    assert.match(error.message, /no environment "prod" \(known: kind\)/);
  });

  it('When the platform file does not exist, then the error says how to point at one', () => {
    const error = refusal(() => loadPlatform('/nonexistent/shoal.yaml'));
    assert.match(error.message, /not found \(pass --file/);
  });

  it('When only some releases are selected, then waves keep their order and leave the others out', () => {
    const platform = loadPlatform(join(REPO, 'shoal.yaml'));
    const waves = dependencyWaves(platform.releases, ['user', 'auth']).map((wave) =>
      wave.map((release) => release.name),
    );
    assert.deepEqual(waves, [['auth'], ['user']]);
  });
});

// `shoal up` where it can run without a container engine: the prerequisite checks (this
// machine has no Docker engine: up must stop at once, saying why), the content-hash image
// tags, and the plan `up --dry-run` prints for the repository's platform file. The registry
// probe always asks 127.0.0.1 (SHOAL_REGISTRY_PROBE_URL), never the network.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { contentTag, imageInputs } from '../src/bootstrap/image-tag.ts';
import { checkPrerequisites } from '../src/bootstrap/prerequisites.ts';
import type { UpPlan } from '../src/bootstrap/up-plan.ts';
import { runShoal } from '../src/cli.ts';
import { testbedHelm } from './support/cli.ts';
import { closedPortUrl, localRegistry } from './support/local-registry.ts';
import type { LocalRegistry } from './support/local-registry.ts';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** A PATH holding only node and, when this machine has it, the real docker CLI. */
function barePath(): string {
  const directory = mkdtempSync(join(tmpdir(), 'shoal-path-'));
  symlinkSync(process.execPath, join(directory, 'node'));
  for (const candidate of ['/usr/local/bin/docker', '/usr/bin/docker']) {
    try {
      symlinkSync(candidate, join(directory, 'docker'));
      break;
    } catch {
      // not there: the next candidate
    }
  }
  return directory;
}

/** Runs shoal in-process with exactly `env`. */
async function shoalWith(args: string[], env: NodeJS.ProcessEnv) {
  let stdout = '';
  let stderr = '';
  const code = await runShoal(args, {
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text) },
    // Whatever a test forgets, the registry probe stays on 127.0.0.1 (port 9: nothing there).
    env: { SHOAL_REGISTRY_PROBE_URL: 'http://127.0.0.1:9/v2/', ...env },
    cwd: REPO,
  });
  return { code, stdout, stderr };
}

// No engine answers on this socket, wherever the test runs.
const NO_ENGINE = { DOCKER_HOST: 'unix:///nonexistent/shoal-test-docker.sock' };

describe('shoal up without a container engine', () => {
  // A registry that answers (401, like Docker Hub): the online path, the default environment.
  let registry: LocalRegistry;
  before(async () => {
    registry = await localRegistry(401);
  });
  after(() => registry.close());

  it('When docker has no engine and kind and helm are missing, then up stops at once with exit 5 and one sentence per tool', async () => {
    const run = await shoalWith(['--file', join(REPO, 'shoal.yaml'), 'up'], {
      PATH: barePath(),
      ...NO_ENGINE,
    });
    assert.equal(run.code, 5, run.stderr);
    const lines = run.stderr.trim().split('\n');
    assert.match(
      lines[0] ?? '',
      /^shoal up: docker: (docker is not installed|the Docker engine is not reachable .*start it)/,
    );
    assert.match(
      lines[1] ?? '',
      /^shoal up: kind: kind is not installed: .*go install sigs\.k8s\.io\/kind/,
    );
    assert.match(lines[2] ?? '', /^shoal up: helm: helm is not installed/);
    assert.equal(
      lines[3],
      'shoal: shoal up cannot start: docker, kind, helm not ready (see above).',
    );
    assert.equal(run.stdout, '');
  });

  it("When make deploy's shoal up runs where no Docker engine answers, then it fails at once with the reasons, before anything else", () => {
    // -o install: never reinstall node_modules under other suites; -o kind-up: never start an
    // engine and a cluster from a unit suite (deploy runs kind-up first); DOCKER_HOST: never a
    // real engine.
    const make = spawnSync(
      'make',
      ['--no-print-directory', '-o', 'install', '-o', 'kind-up', 'deploy'],
      {
        cwd: REPO,
        env: { ...process.env, ...NO_ENGINE, SHOAL_HELM: undefined },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    assert.equal(make.status, 2, make.stderr);
    assert.match(make.stdout, /deployer\/bin\/shoal up$/m);
    assert.match(
      make.stderr,
      /^shoal up: docker: the Docker engine is not reachable|^shoal up: docker: docker is not installed/m,
    );
    assert.match(
      make.stderr,
      /^shoal: shoal up cannot start: docker(, kind)?(, helm)? not ready \(see above\)\.$/m,
    );
    assert.match(make.stderr, /\[Makefile:\d+: deploy\] Error 5/);
  });

  it('When helm is there (SHOAL_HELM) but docker has no engine, then only docker and kind are reported, and kubectl is never required', async () => {
    const checks = await checkPrerequisites({
      PATH: barePath(),
      SHOAL_HELM: testbedHelm(),
      ...NO_ENGINE,
    });
    assert.deepEqual(
      checks.map((check) => [check.tool, check.ok, check.required]),
      [
        ['docker', false, true],
        ['kind', false, true],
        ['helm', true, true],
        ['kubectl', false, false],
      ],
    );
    assert.match(checks[2]?.detail ?? '', /^v\d+\.\d+\.\d+/);
  });

  it('When up runs with --output json and tools are missing, then the error document lists every check', async () => {
    const run = await shoalWith(['--file', join(REPO, 'shoal.yaml'), 'up', '-o', 'json'], {
      PATH: barePath(),
      ...NO_ENGINE,
    });
    assert.equal(run.code, 5);
    const document = JSON.parse(run.stdout) as {
      error: { exitCode: number; prerequisites: { tool: string; ok: boolean }[] };
    };
    assert.equal(document.error.exitCode, 5);
    assert.deepEqual(
      document.error.prerequisites.map((check) => check.tool),
      ['docker', 'kind', 'helm', 'kubectl'],
    );
  });

  it('When up --dry-run runs on the repository, then it prints the checks and the plan: the cluster from kind-config.yaml, a content-tagged build per service, one load of them all, the deploy with those images, the URLs', async () => {
    const online = { SHOAL_REGISTRY_PROBE_URL: registry.url };
    const text = await shoalWith(['--file', join(REPO, 'shoal.yaml'), 'up', '--dry-run'], {
      PATH: barePath(),
      ...NO_ENGINE,
      ...online,
    });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^MISSING kind: /m);
    assert.match(
      text.stdout,
      /1\. kind create cluster --config \S+\/kind-config\.yaml --name shoal\n {5}\(skipped when kind get clusters lists shoal\)/,
    );
    const run = await shoalWith(
      ['--file', join(REPO, 'shoal.yaml'), 'up', '--dry-run', '-o', 'json'],
      { PATH: barePath(), ...NO_ENGINE, ...online },
    );
    const { plan } = JSON.parse(run.stdout) as { plan: UpPlan };
    assert.equal(plan.cluster, 'shoal');
    assert.equal(plan.context, 'kind-shoal');
    const services = ['auth', 'gateway', 'user', 'event', 'notification', 'reporting'];
    assert.deepEqual(
      plan.images.map((image) => image.image),
      services.map((service) => `shoal/${service}:${contentTag(REPO, service)}`),
    );
    assert.deepEqual(
      plan.steps.map((step) => step.kind),
      ['cluster', 'kubeconfig', ...services.map(() => 'build'), 'load', 'deploy'],
    );
    assert.deepEqual(plan.steps[2]?.command, [
      'docker',
      'build',
      '--build-arg',
      'SERVICE=auth',
      '-t',
      plan.images[0]?.image,
      plan.root,
    ]);
    assert.deepEqual(plan.steps.at(-1)?.command.slice(-2), [
      '--image',
      `reporting=${plan.images[5]?.image ?? ''}`,
    ]);
    const elsewhere = await shoalWith(
      [
        '--file',
        join(REPO, 'shoal.yaml'),
        '--kubeconfig',
        '/tmp/shoal-up-test.kubeconfig',
        'up',
        '--dry-run',
        '-o',
        'json',
      ],
      { PATH: barePath(), ...NO_ENGINE, ...online },
    );
    const { plan: planElsewhere } = JSON.parse(elsewhere.stdout) as { plan: UpPlan };
    assert.deepEqual(planElsewhere.steps[0]?.command.slice(-2), [
      '--kubeconfig',
      '/tmp/shoal-up-test.kubeconfig',
    ]);
    assert.deepEqual(planElsewhere.steps[1]?.command, [
      'kind',
      'export',
      'kubeconfig',
      '--name',
      'shoal',
      '--kubeconfig',
      '/tmp/shoal-up-test.kubeconfig',
    ]);
    assert.deepEqual(plan.endpoints, [
      { name: 'API', url: 'http://shoal.localtest.me/api/' },
      { name: 'API docs', url: 'http://shoal.localtest.me/docs' },
      { name: 'Jaeger UI', url: 'http://jaeger.shoal.localtest.me/' },
      { name: 'Mailpit UI', url: 'http://mail.shoal.localtest.me/' },
    ]);
  });
});

/**
 * A copy of the repository's platform as `up` sees it, in a fresh directory (so its
 * .testbed/up logs land there): shoal.yaml (with `kind-offline` set to the `kind` overlay plus
 * a NODE_IMAGE build argument, or without any `kind-offline`), kind-config.yaml, the
 * Dockerfile, and links to the charts and sources the image tags hash.
 */
function platformCopy(offlineEnvironment: boolean): string {
  const root = mkdtempSync(join(tmpdir(), 'shoal-up-'));
  for (const entry of ['charts', 'services', 'ingress', 'package.json', 'package-lock.json']) {
    symlinkSync(join(REPO, entry), join(root, entry));
  }
  for (const file of ['Dockerfile', '.dockerignore', 'kind-config.yaml']) {
    cpSync(join(REPO, file), join(root, file));
  }
  const spec = parse(readFileSync(join(REPO, 'shoal.yaml'), 'utf8')) as {
    environments: Record<string, Record<string, unknown>>;
  };
  delete spec.environments['kind-offline'];
  if (offlineEnvironment) {
    spec.environments['kind-offline'] = {
      ...spec.environments.kind,
      build: { args: { NODE_IMAGE: OFFLINE_NODE } },
    };
  }
  writeFileSync(join(root, 'shoal.yaml'), stringify(spec));
  return root;
}

const OFFLINE_NODE = 'shoal-offline/node:test';

/**
 * docker, kind and helm as scripts that answer like the real ones; each says what it was
 * asked. `kind get clusters` lists $FAKE_KIND_CLUSTERS; `docker build` prints its arguments
 * and fails the way a build without its base image does.
 */
function fakeTools(): string {
  const directory = barePath();
  const scripts: Record<string, string> = {
    docker: `case "$1" in
  version) echo 28.5.1 ;;
  image) exit 1 ;;
  build) echo "fake docker: $*"; echo "ERROR: failed to solve: ${OFFLINE_NODE}: not found" >&2; exit 1 ;;
  *) echo "fake docker: unexpected $*" >&2; exit 3 ;;
esac`,
    kind: `case "$1" in
  version) echo "kind v0.33.0 go1.25 linux/amd64" ;;
  get) [ -n "$FAKE_KIND_CLUSTERS" ] && echo "$FAKE_KIND_CLUSTERS"; exit 0 ;;
  export) echo "Set kubectl context to kind-shoal" ;;
  *) echo "fake kind: unexpected $*" >&2; exit 3 ;;
esac`,
    helm: 'echo v3.19.0+gfake',
  };
  for (const [tool, script] of Object.entries(scripts)) {
    // barePath() may have linked the real docker here: replace the link, never write through
    // it (that would overwrite the machine's docker CLI).
    rmSync(join(directory, tool), { force: true });
    writeFileSync(join(directory, tool), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  }
  return directory;
}

describe('shoal up where no container registry answers', () => {
  let registry: LocalRegistry;
  let closed: string;
  before(async () => {
    registry = await localRegistry(401);
    closed = await closedPortUrl();
  });
  after(() => registry.close());

  it('When the registry does not answer, then up says so in one line and plans kind-offline: its NODE_IMAGE build argument on every build, in the tags too', async () => {
    const root = platformCopy(true);
    const offline = { PATH: barePath(), ...NO_ENGINE, SHOAL_REGISTRY_PROBE_URL: closed };
    const text = await shoalWith(['--file', join(root, 'shoal.yaml'), 'up', '--dry-run'], offline);
    assert.equal(text.code, 0, text.stderr);
    const host = new URL(closed).host;
    assert.equal(
      text.stdout
        .split('\n')
        .filter((line) => line.includes('registry'))
        .join('\n'),
      `no container registry answers (${host}: ECONNREFUSED): using the offline image set, environment kind-offline`,
    );
    assert.match(text.stdout, /environment kind-offline, offline image set/);
    const json = await shoalWith(
      ['--file', join(root, 'shoal.yaml'), 'up', '--dry-run', '-o', 'json'],
      offline,
    );
    const { plan, registry: probe } = JSON.parse(json.stdout) as {
      plan: UpPlan;
      registry: { answers: boolean };
    };
    assert.equal(probe.answers, false);
    assert.equal(plan.environment, 'kind-offline');
    assert.equal(plan.offline, true);
    assert.deepEqual(plan.buildArgs, { NODE_IMAGE: OFFLINE_NODE });
    const builds = plan.steps.filter((step) => step.kind === 'build');
    assert.equal(builds.length, 6);
    for (const [index, step] of builds.entries()) {
      const image = plan.images[index];
      assert.deepEqual(step.command, [
        'docker',
        'build',
        '--build-arg',
        `SERVICE=${image?.service ?? ''}`,
        '--build-arg',
        `NODE_IMAGE=${OFFLINE_NODE}`,
        '-t',
        image?.image,
        root,
      ]);
      // Another base, another tag: the online image of the same sources is not reused.
      const service = image?.service ?? '';
      assert.equal(
        image?.image,
        `shoal/${service}:${contentTag(root, service, { NODE_IMAGE: OFFLINE_NODE })}`,
      );
      assert.notEqual(image?.image, `shoal/${service}:${contentTag(root, service)}`);
    }
    assert.deepEqual(plan.steps.at(-1)?.command.slice(4, 6), ['--env', 'kind-offline']);
    assert.match(
      plan.steps[0]?.skippedWhen ?? '',
      /offline, up stops instead and asks for make kind-up/,
    );
    assert.equal(plan.logDirectory, join(root, '.testbed', 'up'));
  });

  it('When the registry answers, then the default environment is planned, without build arguments', async () => {
    const root = platformCopy(true);
    const run = await shoalWith(
      ['--file', join(root, 'shoal.yaml'), 'up', '--dry-run', '-o', 'json'],
      { PATH: barePath(), ...NO_ENGINE, SHOAL_REGISTRY_PROBE_URL: registry.url },
    );
    const { plan } = JSON.parse(run.stdout) as { plan: UpPlan };
    assert.equal(plan.environment, 'kind');
    assert.equal(plan.offline, false);
    assert.deepEqual(plan.buildArgs, {});
    assert.equal(plan.images[0]?.image, `shoal/auth:${contentTag(root, 'auth')}`);
    assert.ok(!plan.steps.some((step) => step.command.some((arg) => arg.startsWith('NODE_IMAGE'))));
  });

  it('When --env names an environment, then it is used as given, offline or not, and nothing is probed', async () => {
    const root = platformCopy(true);
    const run = await shoalWith(
      ['--file', join(root, 'shoal.yaml'), '--env', 'kind', 'up', '--dry-run', '-o', 'json'],
      { PATH: barePath(), ...NO_ENGINE, SHOAL_REGISTRY_PROBE_URL: closed },
    );
    const { plan, registry: probe } = JSON.parse(run.stdout) as {
      plan: UpPlan;
      registry: unknown;
    };
    assert.equal(plan.environment, 'kind');
    assert.equal(probe, null);
    const chosen = await shoalWith(
      [
        '--file',
        join(root, 'shoal.yaml'),
        '--env',
        'kind-offline',
        'up',
        '--dry-run',
        '-o',
        'json',
      ],
      { PATH: barePath(), ...NO_ENGINE, SHOAL_REGISTRY_PROBE_URL: registry.url },
    );
    const { plan: offlinePlan } = JSON.parse(chosen.stdout) as { plan: UpPlan };
    assert.equal(offlinePlan.environment, 'kind-offline');
    assert.equal(offlinePlan.offline, true);
  });

  it('When the registry does not answer and the platform file has no kind-offline, then up fails with one line saying so (exit 2)', async () => {
    const root = platformCopy(false);
    const run = await shoalWith(['--file', join(root, 'shoal.yaml'), 'up', '--dry-run'], {
      PATH: barePath(),
      ...NO_ENGINE,
      SHOAL_REGISTRY_PROBE_URL: closed,
    });
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      `shoal: No container registry answers and ${join(root, 'shoal.yaml')} has no environment "kind-offline" (the offline image set): add it (see deployer/README.md), or pick an environment with --env.\n`,
    );
  });

  it('When the registry does not answer and the kind cluster does not exist, then up asks for make kind-up in one line (exit 5) and runs nothing', async () => {
    const root = platformCopy(true);
    const run = await shoalWith(['--file', join(root, 'shoal.yaml'), 'up'], {
      PATH: fakeTools(),
      SHOAL_REGISTRY_PROBE_URL: closed,
    });
    assert.equal(run.code, 5, run.stderr);
    const lines = run.stderr.trim().split('\n');
    assert.match(lines[0] ?? '', /^up: no container registry answers \(/);
    assert.equal(
      lines[1],
      'shoal: The kind cluster shoal does not exist and shoal up cannot create it offline (kind would pull its node image): run make kind-up, which builds the node image and creates the cluster, then run shoal up again.',
    );
    assert.equal(lines.length, 2);
    assert.ok(!existsSync(join(root, '.testbed', 'up')));
  });

  it("When a build fails, then up shows numbered, timed steps, the build log's last lines, and one line naming the log (exit 5); the log holds what docker said", async () => {
    const root = platformCopy(true);
    const run = await shoalWith(['--file', join(root, 'shoal.yaml'), 'up'], {
      PATH: fakeTools(),
      SHOAL_REGISTRY_PROBE_URL: closed,
      FAKE_KIND_CLUSTERS: 'shoal',
    });
    assert.equal(run.code, 5, run.stderr);
    const lines = run.stderr.trim().split('\n');
    const log = join(root, '.testbed', 'up', 'build-auth.log');
    assert.match(lines[0] ?? '', /^up: no container registry answers/);
    assert.equal(
      lines[1],
      'up: [ 1/10] cluster shoal skipped: it exists (kind get clusters lists it)',
    );
    assert.equal(
      lines[2],
      `up: [ 2/10] kubeconfig kind-shoal (log: ${join(root, '.testbed', 'up', 'kubeconfig.log')})`,
    );
    assert.match(lines[3] ?? '', /^up: \[ 2\/10\] kubeconfig kind-shoal done in \d+\.\ds$/);
    assert.match(
      lines[4] ?? '',
      /^up: \[ 3\/10\] build shoal\/auth:[0-9a-f]{12} \(log: .*build-auth\.log\)$/,
    );
    assert.match(lines[5] ?? '', /^up: \[ 3\/10\] build shoal\/auth:[0-9a-f]{12} failed in /);
    assert.ok(
      lines.some((line) => line === `  | ERROR: failed to solve: ${OFFLINE_NODE}: not found`),
    );
    assert.match(
      lines.at(-1) ?? '',
      new RegExp(
        `^shoal: \\[ 3/10\\] build shoal/auth:[0-9a-f]{12} failed \\(exit 1\\) after \\d+\\.\\ds; its log: ${log.replace(/[.]/g, '\\.')} \\(its last lines are above\\)$`,
      ),
    );
    const text = readFileSync(log, 'utf8');
    assert.match(
      text,
      new RegExp(
        `fake docker: build --build-arg SERVICE=auth --build-arg NODE_IMAGE=${OFFLINE_NODE} -t shoal/auth:`,
      ),
    );
    assert.match(text, /ERROR: failed to solve/);
    assert.equal(run.stdout, '');
  });
});

describe('image tags by content', () => {
  /** A small tree shaped like the repository: the Dockerfile, the lock file, the kit, two services. */
  function tree(): string {
    const root = mkdtempSync(join(tmpdir(), 'shoal-tag-'));
    const files: Record<string, string> = {
      Dockerfile: 'FROM node\n',
      'package.json': '{"workspaces":["services/*"]}',
      'package-lock.json': '{"lockfileVersion":3}',
      'services/kit/package.json': '{"name":"@shoal/kit"}',
      'services/kit/src/index.ts': 'export const kit = 1;\n',
      'services/auth/package.json': '{"name":"@shoal/auth"}',
      'services/auth/openapi.yaml': 'openapi: 3.1.0\n',
      'services/auth/src/main.ts': 'console.log("auth");\n',
      'services/auth/src/routes/login.ts': 'export {};\n',
      'services/auth/test/login.test.ts': 'it("x", () => {});\n',
      'services/user/package.json': '{"name":"@shoal/user"}',
      'services/user/src/main.ts': 'console.log("user");\n',
      'ingress/package.json': '{"name":"@shoal/gateway"}',
      'ingress/src/main.ts': 'console.log("gateway");\n',
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, file)), { recursive: true });
      writeFileSync(join(root, file), text);
    }
    return root;
  }

  it('When nothing changes, then the tag is the same; the inputs are what the Dockerfile copies, tests excluded', () => {
    const root = tree();
    assert.equal(contentTag(root, 'auth'), contentTag(root, 'auth'));
    assert.match(contentTag(root, 'auth'), /^[0-9a-f]{12}$/);
    assert.deepEqual(imageInputs(root, 'auth'), [
      'Dockerfile',
      'package-lock.json',
      'package.json',
      'services/auth/openapi.yaml',
      'services/auth/package.json',
      'services/auth/src/main.ts',
      'services/auth/src/routes/login.ts',
      'services/kit/package.json',
      'services/kit/src/index.ts',
    ]);
    assert.ok(imageInputs(root, 'gateway').includes('ingress/src/main.ts'));
  });

  it('When a service source, the kit or the lock file changes, then its tag changes; another service or a test does not change it', () => {
    const root = tree();
    const before = contentTag(root, 'auth');
    writeFileSync(join(root, 'services/user/src/main.ts'), 'console.log("user v2");\n');
    writeFileSync(join(root, 'services/auth/test/login.test.ts'), 'it("y", () => {});\n');
    assert.equal(contentTag(root, 'auth'), before);
    assert.notEqual(contentTag(root, 'user'), contentTag(root, 'auth'));
    for (const file of [
      'services/auth/src/routes/login.ts',
      'services/kit/src/index.ts',
      'package-lock.json',
    ]) {
      const copy = mkdtempSync(join(tmpdir(), 'shoal-tag-'));
      cpSync(root, copy, { recursive: true });
      writeFileSync(join(copy, file), '// changed\n');
      assert.notEqual(contentTag(copy, 'auth'), before, file);
    }
  });

  it('When build arguments are given, then they change the tag (in any order the same); none gives the tag without', () => {
    const root = tree();
    const plain = contentTag(root, 'auth');
    assert.equal(contentTag(root, 'auth', {}), plain);
    const offline = contentTag(root, 'auth', { NODE_IMAGE: 'shoal-offline/node:24', A: '1' });
    assert.notEqual(offline, plain);
    assert.equal(
      contentTag(root, 'auth', { A: '1', NODE_IMAGE: 'shoal-offline/node:24' }),
      offline,
    );
    assert.notEqual(
      contentTag(root, 'auth', { NODE_IMAGE: 'shoal-offline/node:25', A: '1' }),
      offline,
    );
  });
});

// `shoal up` where it can run without a container engine: the prerequisite checks (this
// machine has no Docker engine: up must stop at once, saying why), the content-hash image
// tags, and the plan `up --dry-run` prints for the repository's platform file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { contentTag, imageInputs } from '../src/bootstrap/image-tag.ts';
import { checkPrerequisites } from '../src/bootstrap/prerequisites.ts';
import type { UpPlan } from '../src/bootstrap/up-plan.ts';
import { runShoal } from '../src/cli.ts';
import { testbedHelm } from './support/cli.ts';

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
    env,
    cwd: REPO,
  });
  return { code, stdout, stderr };
}

// No engine answers on this socket, wherever the test runs.
const NO_ENGINE = { DOCKER_HOST: 'unix:///nonexistent/shoal-test-docker.sock' };

describe('shoal up without a container engine', () => {
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

  it('When make deploy runs where no Docker engine answers, then it fails at once with the reasons, before anything else', () => {
    // -o install: never reinstall node_modules under other suites; DOCKER_HOST: never a real engine.
    const make = spawnSync('make', ['--no-print-directory', '-o', 'install', 'deploy'], {
      cwd: REPO,
      env: { ...process.env, ...NO_ENGINE, SHOAL_HELM: undefined },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(make.status, 2, make.stderr);
    assert.match(make.stdout, /^deployer\/bin\/shoal up$/m);
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

  it('When up --dry-run runs on the repository, then it prints the checks and the plan: the cluster from kind-config.yaml, a content-tagged build and load per service, the deploy with those images, the URLs', async () => {
    const text = await shoalWith(['--file', join(REPO, 'shoal.yaml'), 'up', '--dry-run'], {
      PATH: barePath(),
      ...NO_ENGINE,
    });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^MISSING kind: /m);
    assert.match(
      text.stdout,
      /1\. kind create cluster --config \S+\/kind-config\.yaml --name shoal\n {5}\(skipped when kind get clusters lists shoal\)/,
    );
    const run = await shoalWith(
      ['--file', join(REPO, 'shoal.yaml'), 'up', '--dry-run', '-o', 'json'],
      { PATH: barePath(), ...NO_ENGINE },
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
      [
        'cluster',
        'kubeconfig',
        ...services.map(() => 'build'),
        ...services.map(() => 'load'),
        'deploy',
      ],
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
      { PATH: barePath(), ...NO_ENGINE },
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
});

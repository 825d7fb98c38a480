import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { loadDepsEnv, uniqueName } from '@shoal/testbed';
import { REPO_DIR, parseDockerfile, runCommand, stageNamed } from '../src/index.ts';
import type { Stage } from '../src/index.ts';

const DOCKERFILE = join(REPO_DIR, 'Dockerfile');

/** Each value of the SERVICE build argument and the package directory it selects. */
const SERVICE_DIRS: Record<string, string> = {
  auth: 'services/auth',
  user: 'services/user',
  event: 'services/event',
  notification: 'services/notification',
  reporting: 'services/reporting',
  gateway: 'ingress',
};

function instructions(stage: Stage, keyword: string): string[] {
  return stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
}

/** Runs a shell command as a Dockerfile RUN line would (`/bin/sh -c`), with build args in the environment. */
function shell(command: string, cwd: string, env: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      '/bin/sh',
      ['-c', command],
      { cwd, env: { ...process.env, ...env }, timeout: 300_000, maxBuffer: 16 * 1024 * 1024 },
      (error, _stdout, stderr) => (error ? reject(new Error(`${command}\n${stderr}`)) : resolve()),
    );
  });
}

/** A port nothing listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  server.close();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Polls a URL until it answers 200; gives up (throws) when the process exits or after the attempts. */
async function waitForOk(url: string, child: ChildProcess, log: () => string): Promise<Response> {
  for (let attempt = 0; attempt < 240; attempt++) {
    if (child.exitCode !== null) throw new Error(`the service exited ${child.exitCode}:\n${log()}`);
    const response = await fetch(url).catch(() => undefined);
    if (response?.status === 200) return response;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} never answered 200:\n${log()}`);
}

describe('the Dockerfile', () => {
  const { globalArgs, stages } = parseDockerfile(DOCKERFILE);

  it('When it is read, then it builds in stages on Node.js 24 and runs node as a non-root user', () => {
    assert.ok(stages.length >= 3, 'multi-stage');
    for (const stage of stages) assert.match(stage.from, /node(:|\})|NODE_IMAGE/);
    const runtime = stages.at(-1) as Stage;
    const nodeImage = globalArgs.NODE_IMAGE ?? '';
    assert.match(
      nodeImage,
      /\/node:24\.\d+\.\d+-/,
      `the base image is a pinned Node.js 24 (${nodeImage})`,
    );
    assert.deepEqual(instructions(runtime, 'USER'), ['node']);
    const [cmd] = instructions(runtime, 'CMD');
    const argv = JSON.parse(cmd ?? 'null') as string[];
    assert.equal(argv[0], 'node', 'exec form starting with node, so SIGTERM reaches it');
    assert.ok(!argv.includes('npm'));
    const labels = instructions(runtime, 'LABEL').join(' ');
    for (const label of ['title', 'version', 'revision', 'source']) {
      assert.match(labels, new RegExp(`org\\.opencontainers\\.image\\.${label}=`));
    }
  });

  it('When its dependency stage runs, then npm ci installs production dependencies of one workspace only', () => {
    const deps = stageNamed(stages, 'deps');
    const install = deps.instructions
      .filter((i) => i.keyword === 'RUN')
      .map(runCommand)
      .join(' ');
    assert.match(install, /npm ci /);
    assert.match(install, /--omit=dev/);
    assert.match(install, /--workspace "@shoal\/\$SERVICE"/);
  });

  it('When the app stage runs for each service that exists, then /app/service/src/main.ts is that service', async () => {
    for (const [service, dir] of Object.entries(SERVICE_DIRS)) {
      if (!existsSync(join(REPO_DIR, dir, 'src/main.ts'))) continue; // not written yet
      const out = mkdtempSync(join(tmpdir(), `shoal-app-${service}-`));
      try {
        for (const run of instructions(stageNamed(stages, 'app'), 'RUN')) {
          await shell(runCommand({ keyword: 'RUN', args: run }).replaceAll('/out', out), REPO_DIR, {
            SERVICE: service,
          });
        }
        assert.equal(realpathSync(join(out, 'service')), realpathSync(join(out, dir)));
        assert.ok(existsSync(join(out, 'service/src/main.ts')), `${service}: main.ts`);
        assert.ok(existsSync(join(out, 'services/kit/src/index.ts')), `${service}: the kit`);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    }
  });

  describe('re-enacted for auth without a Docker engine', () => {
    const env = loadDepsEnv();
    const database = uniqueName('image_auth', '_');
    const root = mkdtempSync(join(tmpdir(), 'shoal-image-'));
    const app = join(root, 'app');
    const out = join(root, 'out');
    let child: ChildProcess | undefined;
    let output = '';

    after(() => {
      child?.kill('SIGKILL');
      rmSync(root, { recursive: true, force: true });
      execFileSync('psql', [env.PG_URL, '-qc', `DROP DATABASE IF EXISTS ${database}`]);
    });

    it('When the deps and app stages run in a temporary directory, then the service starts from just those files and /readyz answers', async function () {
      this.timeout(300_000);
      const buildArgs = { SERVICE: 'auth' };
      // manifests stage: every package.json of the build context (as .dockerignore leaves it) and the lock.
      const manifests = execFileSync(
        'git',
        ['ls-files', '--cached', '--others', '--exclude-standard'],
        {
          cwd: REPO_DIR,
          encoding: 'utf8',
        },
      )
        .split('\n')
        .filter((path) => /(^|\/)package\.json$/.test(path) && !/^charts\/[^/]+\//.test(path));
      for (const path of [...manifests, 'package-lock.json']) {
        mkdirSync(dirname(join(app, path)), { recursive: true });
        cpSync(join(REPO_DIR, path), join(app, path));
      }
      // deps stage: its RUN lines, as written, in /app.
      for (const run of instructions(stageNamed(stages, 'deps'), 'RUN')) {
        await shell(runCommand({ keyword: 'RUN', args: run }), app, buildArgs);
      }
      // app stage: its RUN lines in /src (the repository), writing to /out.
      for (const run of instructions(stageNamed(stages, 'app'), 'RUN')) {
        await shell(
          runCommand({ keyword: 'RUN', args: run }).replaceAll('/out', out),
          REPO_DIR,
          buildArgs,
        );
      }
      // runtime stage: COPY --from=deps /app/ and --from=app /out/ into /app.
      cpSync(out, app, { recursive: true, verbatimSymlinks: true });

      const runtime = stages.at(-1) as Stage;
      const argv = (JSON.parse(instructions(runtime, 'CMD')[0] ?? '[]') as string[]).map((arg) =>
        arg.replace(/^\/app\//, `${app}/`),
      );
      execFileSync('psql', [env.PG_URL, '-qc', `CREATE DATABASE ${database}`]);
      const port = await freePort();
      const databaseUrl = new URL(env.PG_URL);
      databaseUrl.pathname = `/${database}`;
      // Only what the image and the chart would give the process: no NODE_OPTIONS from this run.
      child = spawn(argv[0] ?? 'node', argv.slice(1), {
        cwd: app,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          PATH: process.env.PATH ?? '',
          HOME: root,
          NODE_ENV: 'production',
          SERVICE_NAME: 'auth',
          HOST: '127.0.0.1',
          PORT: String(port),
          SHUTDOWN_DELAY_MS: '0',
          DATABASE_URL: databaseUrl.toString(),
          REDIS_URL: env.REDIS_URL,
          SQS_ENDPOINT: env.SQS_ENDPOINT,
          AWS_REGION: env.AWS_REGION,
          AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID,
          AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY,
          AUTH_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        },
      });
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

      const ready = await waitForOk(`http://127.0.0.1:${port}/readyz`, child, () => output);
      const body = (await ready.json()) as { status: string };
      assert.equal(body.status, 'ready');
      const jwks = await fetch(`http://127.0.0.1:${port}/api/auth/.well-known/jwks.json`);
      assert.equal(jwks.status, 200);

      // The exec-form CMD: SIGTERM reaches node, and the kit drains and exits 0.
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 0, output);
    });
  });
});

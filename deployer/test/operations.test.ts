// The operations verbs on the Kubernetes testbed with the real charts: status (and its JSON
// schema), scale remembered across deploys, and reconcile restoring drift.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { loadKubeTestbed, useTestNamespace } from '@shoal/testbed';
import { statusDocumentSchema } from '../src/status/status-schema.ts';
import type { StatusDocument } from '../src/status/status-schema.ts';
import type { PassReport } from '../src/reconcile/reconcile-pass.ts';
import { expectExit, shoal, testbedHelm } from './support/cli.ts';
import { startShoal } from './support/live-run.ts';
import { writeOpsPlatform } from './support/ops-platform.ts';

const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

describe('shoal status, scale and reconcile on the testbed with the real charts', function () {
  this.timeout(180_000);
  const ns = useTestNamespace('deployer-ops');
  let file = '';
  const run = (args: string[]) => shoal(['--file', file, ...args]);
  const apps = () => ns.kubeConfig.makeApiClient(AppsV1Api);
  const core = () => ns.kubeConfig.makeApiClient(CoreV1Api);
  const autoscaling = () => ns.kubeConfig.makeApiClient(AutoscalingV2Api);
  const hpaNames = async () =>
    (await autoscaling().listNamespacedHorizontalPodAutoscaler({ namespace: ns.name })).items.map(
      (hpa) => hpa.metadata?.name,
    );
  const status = async (args: string[], code: number): Promise<StatusDocument> =>
    statusDocumentSchema.parse(
      expectExit(await run(['status', ...args, '-o', 'json']), code).json(),
    );

  before(async function () {
    this.timeout(240_000);
    file = writeOpsPlatform(ns.name);
    expectExit(await run(['deploy', 'auth', 'user']), 0);
  });

  it('When the deployed releases are healthy, then status exits 0 and its JSON follows the documented schema with replicas, autoscaler and route', async () => {
    const document = await status(['auth', 'user'], 0);
    assert.equal(document.apiVersion, 'shoal.dev/status.v1');
    assert.equal(document.healthy, true);
    const [auth, user] = document.releases;
    assert.deepEqual(
      [auth?.name, auth?.namespace, auth?.revision, auth?.health.status],
      ['auth', ns.name, 1, 'Healthy'],
    );
    assert.equal(user?.name, 'user');
    assert.deepEqual(auth?.images, ['shoal/auth:0.1.0']);
    const workload = auth?.workloads[0];
    assert.deepEqual(
      workload && [
        workload.kind,
        workload.name,
        workload.desired,
        workload.updated,
        workload.ready,
        workload.available,
      ],
      ['Deployment', 'auth', 2, 2, 2, 2],
    );
    const autoscaler = auth?.autoscalers[0];
    assert.deepEqual(
      autoscaler && [
        autoscaler.target,
        autoscaler.minReplicas,
        autoscaler.maxReplicas,
        autoscaler.cpuTargetPercent,
      ],
      ['Deployment/auth', 2, 6, 70],
    );
    assert.deepEqual(
      auth?.routes.map((route) => `${route.host}${route.path} -> ${route.backend}`),
      ['shoal.localtest.me/api/auth -> auth:80'],
    );
    assert.deepEqual(auth?.problems, []);
    const text = expectExit(await run(['status', 'auth']), 0).stdout;
    assert.match(text, /auth {2}\S+ {2}revision 1 .* Healthy/);
    assert.match(text, /autoscaler auth: 2\.\.6 replicas, \d+ current.*/);
    assert.match(text, /All 1 release\(s\) healthy\./);
  });

  it('When status --watch runs and a workload changes, then a new JSON document follows; Ctrl-C ends it with the health exit code', async () => {
    const live = startShoal(['--file', file, 'status', 'auth', '--watch', '-o', 'json']);
    const documents = () => live.lines.map((line) => statusDocumentSchema.parse(JSON.parse(line)));
    await live.waitFor(() => true);
    assert.equal(documents()[0]?.releases[0]?.workloads[0]?.desired, 2);
    await apps().patchNamespacedDeployment(
      { name: 'auth', namespace: ns.name, body: { spec: { paused: true } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await live.waitFor((line) => line.includes('"Suspended"'));
    await apps().patchNamespacedDeployment(
      { name: 'auth', namespace: ns.name, body: { spec: { paused: false } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await live.waitFor(
      (line) =>
        line.includes('"healthy":true') &&
        live.lines.some((earlier) => earlier.includes('"Suspended"')) &&
        line !== live.lines[0],
    );
    assert.equal(await live.stop(), 0, live.stderr());
    const statuses = documents().map((document) => document.releases[0]?.health.status);
    assert.deepEqual(
      [statuses[0], statuses.includes('Suspended'), statuses.at(-1)],
      ['Healthy', true, 'Healthy'],
    );
  });

  it('When a release was never deployed, then status reports it Missing and exits 1', async () => {
    const document = await status(['event'], 1);
    assert.equal(document.healthy, false);
    assert.deepEqual(document.releases[0]?.health, { status: 'Missing', reason: 'not deployed' });
    assert.equal(document.releases[0]?.revision, null);
  });

  it('When a failed deploy left user crashing (--no-rollback), then status exits 1 naming the pod and CrashLoopBackOff, and the failed revision', async () => {
    expectExit(await run(['deploy', 'user', '--env', 'user-crashes', '--no-rollback']), 1);
    const [user] = (await status(['user'], 1)).releases;
    assert.equal(user?.health.status, 'Degraded');
    assert.match(user?.health.reason ?? '', /^Pod\/user-\S+: container user: CrashLoopBackOff/);
    assert.deepEqual(
      user && [user.revision, user.latestRevision?.revision, user.latestRevision?.status],
      [1, 2, 'failed'],
    );
    assert.match(
      expectExit(await run(['status', 'user']), 1).stdout,
      /Degraded: Pod\/user-\S+: container user: CrashLoopBackOff/,
    );
    expectExit(await run(['deploy', 'user']), 0);
    assert.equal((await status(['user'], 0)).releases[0]?.health.status, 'Healthy');
  });

  it('When auth is scaled to 3 replicas and then deployed, then the count holds, the autoscaler stays off, and the deploy says why', async () => {
    const scaled = expectExit(await run(['scale', 'auth', '--replicas', '3']), 0).stdout;
    assert.match(scaled, /Deployment\/auth: replicas 2 -> 3/);
    assert.match(scaled, /HorizontalPodAutoscaler\/auth: deleted \(autoscaler off\)/);
    const deploy = expectExit(await run(['deploy', 'auth']), 0).stdout;
    assert.match(deploy, /auth: Deployment auth: replicas 3 \(scale override\)/);
    assert.match(deploy, /auth: HorizontalPodAutoscaler auth not applied: scaled to 3 by hand/);
    assert.equal(
      (await apps().readNamespacedDeployment({ name: 'auth', namespace: ns.name })).spec?.replicas,
      3,
    );
    assert.deepEqual(await hpaNames(), ['user']);
    const [auth] = (await status(['auth'], 0)).releases;
    assert.deepEqual(auth?.overrides, { replicas: 3 });
    assert.deepEqual(
      auth?.workloads.map((workload) => [workload.desired, workload.available]),
      [[3, 3]],
    );
  });

  it('When auth gets autoscaler bounds 3..5 and is deployed again, then its autoscaler is back with those bounds and the deploy keeps them', async () => {
    const scaled = expectExit(
      await run(['scale', 'auth', '--min', '3', '--max', '5', '-o', 'json']),
      0,
    ).json<{ overrides: object }>();
    assert.deepEqual(Object.keys(scaled.overrides).sort(), ['maxReplicas', 'minReplicas']);
    const deploy = expectExit(await run(['deploy', 'auth']), 0).stdout;
    assert.match(deploy, /auth: HorizontalPodAutoscaler auth: min 3 max 5 \(scale override\)/);
    const hpa = await autoscaling().readNamespacedHorizontalPodAutoscaler({
      name: 'auth',
      namespace: ns.name,
    });
    assert.deepEqual([hpa.spec?.minReplicas, hpa.spec?.maxReplicas], [3, 5]);
    expectExit(await run(['scale', 'auth', '--reset']), 0);
    const reset = await autoscaling().readNamespacedHorizontalPodAutoscaler({
      name: 'auth',
      namespace: ns.name,
    });
    assert.deepEqual([reset.spec?.minReplicas, reset.spec?.maxReplicas], [2, 6]);
    assert.deepEqual((await status(['auth'], 0)).releases[0]?.overrides, {});
  });

  it('When scale is asked for nonsense, then it is one usage line and exit 2', async () => {
    assert.match(expectExit(await run(['scale', 'auth']), 2).stderr, /Say how to scale/);
    assert.match(
      expectExit(await run(['scale', 'auth', '--replicas', '2', '--min', '1']), 2).stderr,
      /do not go together/,
    );
    assert.match(
      expectExit(await run(['scale', 'auth', '--min', '4', '--max', '2']), 2).stderr,
      /--min 4 is above --max 2/,
    );
    assert.match(
      expectExit(await run(['scale', 'auth', '--replicas', '-1']), 2).stderr,
      /expected a whole number/,
    );
    assert.match(
      expectExit(await run(['scale', 'event', '--replicas', '1']), 2).stderr,
      /event has no Deployment or StatefulSet .* deploy it first/,
    );
  });

  it("When auth's Service is deleted and user's Deployment edited, then one reconcile pass restores both and reports them, and the next finds nothing", async () => {
    await core().deleteNamespacedService({ name: 'auth', namespace: ns.name });
    // status sees the hole before reconcile fills it.
    assert.deepEqual((await status(['auth'], 1)).releases[0]?.health, {
      status: 'Missing',
      reason: 'Service/auth: not found',
    });
    await apps().patchNamespacedDeployment(
      {
        name: 'user',
        namespace: ns.name,
        fieldManager: 'kubectl-edit',
        body: {
          spec: {
            template: { spec: { containers: [{ name: 'user', image: 'shoal/user:edited' }] } },
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const report = expectExit(
      await run(['reconcile', 'auth', 'user', '--once', '-o', 'json']),
      0,
    ).json<PassReport>();
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.drift.map((entry) => [entry.release, entry.action, `${entry.kind}/${entry.name}`]),
      [
        ['auth', 'create', 'Service/auth'],
        ['user', 'update', 'Deployment/user'],
      ],
    );
    assert.ok(
      report.drift[1]?.fields.includes('.spec.template.spec.containers[0].image'),
      JSON.stringify(report.drift[1]),
    );
    assert.equal(
      (await core().readNamespacedService({ name: 'auth', namespace: ns.name })).metadata?.name,
      'auth',
    );
    const user = await apps().readNamespacedDeployment({ name: 'user', namespace: ns.name });
    assert.equal(user.spec?.template.spec?.containers[0]?.image, 'shoal/user:0.1.0');
    const again = expectExit(await run(['reconcile', 'auth', 'user', '--once']), 0).stdout;
    assert.match(again, /in sync: 2 release\(s\) healthy, nothing changed/);
  });

  it("When user runs an image rolled out with --image, then reconcile keeps it, and with --no-keep-images returns to the platform file's", async () => {
    const image = async () =>
      (await apps().readNamespacedDeployment({ name: 'user', namespace: ns.name })).spec?.template
        .spec?.containers[0]?.image;
    expectExit(await run(['deploy', 'user', '--image', 'user=shoal/user:7.7.7']), 0);
    const kept = expectExit(
      await run(['reconcile', 'user', '--once', '-o', 'json']),
      0,
    ).json<PassReport>();
    assert.deepEqual(kept.drift, []);
    assert.equal(await image(), 'shoal/user:7.7.7');
    const reverted = expectExit(
      await run(['reconcile', 'user', '--once', '--no-keep-images', '-o', 'json']),
      0,
    ).json<PassReport>();
    // The chart's version label follows the image tag, so every object of user changes back.
    const restored = reverted.drift.map((entry) => `${entry.action} ${entry.kind}/${entry.name}`);
    assert.ok(restored.includes('update Deployment/user'), restored.join(', '));
    assert.equal(await image(), 'shoal/user:0.1.0');
  });

  it('When the cluster cannot be reached, then a reconcile pass reports it in one sentence and --once exits 1', async () => {
    // A port nothing listens on: bound once, then released.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'shoal-unreachable-')), 'kubeconfig');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'gone', cluster: { server: `https://127.0.0.1:${port}` } }],
        users: [{ name: 'nobody', user: { token: 'x' } }],
        contexts: [{ name: 'gone', context: { cluster: 'gone', user: 'nobody' } }],
        'current-context': 'gone',
      }),
    );
    const run = await shoal([
      '--kubeconfig',
      kubeconfig,
      '--file',
      file,
      'reconcile',
      'auth',
      '--once',
    ]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stdout,
      /reconcile failed: Cannot reach the cluster at https:\/\/127\.0\.0\.1:\d+ \(connection refused\); is it running/,
    );
  });

  it('When reconcile runs on an interval and gets SIGTERM, then it stops cleanly with exit 0', async () => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=shoal-source',
        CLI,
        '--kubeconfig',
        loadKubeTestbed().kubeconfigPath,
        '--file',
        file,
        'reconcile',
        'user',
        '--interval',
        '1s',
      ],
      { env: { ...process.env, SHOAL_HELM: testbedHelm() }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (/in sync/.test(output)) resolve();
      });
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      void exited.then(() => reject(new Error(`reconcile exited early:\n${output}`)));
    });
    child.kill('SIGTERM');
    assert.equal(await exited, 0, output);
    assert.match(output, /reconciling user every 1s/);
    assert.match(output, /reconcile stopped\.\n$/);
  });
});

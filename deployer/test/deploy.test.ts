// The deploy pipeline end to end on the Kubernetes testbed, with the real charts and the
// repository's platform file: one full deploy, then scenarios that each change one thing.
import assert from 'node:assert/strict';
import {
  AppsV1Api,
  CoordinationV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  KubernetesObjectApi,
  NetworkingV1Api,
  PatchStrategy,
} from '@kubernetes/client-node';
import type { V1Deployment } from '@kubernetes/client-node';
import { loadKubeTestbed, runKubectl, useTestNamespace } from '@shoal/testbed';
import { connectKube } from '../src/kube/clients.ts';
import { writeOverrides } from '../src/state/overrides.ts';
import { expectExit, shoal } from './support/cli.ts';
import { claimVolume, PLATFORM_CLAIMS, writeTestPlatform } from './support/test-platform.ts';

interface ReleaseResultJson {
  name: string;
  outcome: string;
  revision?: number;
  counts: Record<string, number>;
  changes: { action: string; kind: string; name: string }[];
  diagnosis?: { object: string; reason: string; events: string[] }[];
  rollback?: { toRevision: number; revision: number; ok: boolean };
}
interface DeployJson {
  ok: boolean;
  changed: boolean;
  secrets: { name: string; action: string }[];
  releases: ReleaseResultJson[];
}
interface HistoryJson {
  revisions: { revision: number; status: string; images: string[]; description: string }[];
}

const APPS = ['auth', 'gateway', 'user', 'event', 'notification', 'reporting'];

describe('shoal deploy, diff, history, rollback and destroy on the testbed with the real charts', function () {
  this.timeout(240_000);
  let file = '';
  // Registered before the namespace's own cleanup so it runs first: cluster-scoped objects
  // (the gateway's IngressClass and RBAC) go with the releases; PVs are ours to remove.
  after(async function () {
    this.timeout(180_000);
    if (file) await shoal(['--file', file, '--namespace', ns.name, 'destroy']);
    for (const claim of PLATFORM_CLAIMS) {
      await runKubectl([
        'delete',
        'pv',
        `${ns.name}-${claim}`,
        '--ignore-not-found',
        '--wait=false',
      ]);
    }
  });
  const ns = useTestNamespace('deployer', {
    labels: { 'pod-security.kubernetes.io/enforce': 'restricted' },
  });
  const run = (args: string[], env?: Record<string, string | undefined>) =>
    shoal(['--file', file, '--namespace', ns.name, ...args], env);
  const apps = () => ns.kubeConfig.makeApiClient(AppsV1Api);
  const core = () => ns.kubeConfig.makeApiClient(CoreV1Api);
  const deploymentOf = (name: string): Promise<V1Deployment> =>
    apps().readNamespacedDeployment({ name, namespace: ns.name });
  const secretData = async (name: string) =>
    (await core().readNamespacedSecret({ name, namespace: ns.name })).data ?? {};
  const history = async (release: string) =>
    expectExit(await run(['history', release, '-o', 'json']), 0).json<HistoryJson>().revisions;

  before(async () => {
    file = writeTestPlatform(ns.name);
    for (const claim of PLATFORM_CLAIMS) {
      await runKubectl(['apply', '-f', '-'], {
        input: JSON.stringify(claimVolume(ns.name, claim)),
      });
    }
  });

  it('When every release is deployed into an empty namespace, then all seven converge healthy in dependency order, each at revision 1', async () => {
    const result = expectExit(await run(['deploy', '-o', 'json']), 0).json<DeployJson>();
    assert.ok(result.ok && result.changed);
    assert.deepEqual(
      result.releases.map((release) => release.name),
      ['platform', 'auth', 'gateway', 'user', 'event', 'notification', 'reporting'],
    );
    for (const release of result.releases) {
      assert.equal(release.outcome, 'deployed', release.name);
      assert.equal(release.revision, 1, release.name);
    }
    // The chart renders no replicas: each HPA has raised its Deployment to the minimum (2).
    for (const app of APPS.filter((name) => name !== 'gateway')) {
      assert.ok(
        ((await deploymentOf(app)).status?.availableReplicas ?? 0) >= 2,
        `${app} available`,
      );
    }
    assert.deepEqual(
      result.secrets.map((secret) => `${secret.name} ${secret.action}`),
      [
        'notification-auth-client created',
        'auth-clients created',
        'auth-admin created',
        'webhook-partner created',
        'event-webhook-secrets created',
      ],
    );
    // The event hub's webhook source `partner` signs with the generated secret.
    const webhookSecrets = JSON.parse(
      Buffer.from((await secretData('event-webhook-secrets')).secrets ?? '', 'base64').toString(),
    ) as Record<string, string>;
    assert.equal(
      webhookSecrets['partner'],
      Buffer.from((await secretData('webhook-partner')).secret ?? '', 'base64').toString(),
    );
    // auth knows notification's client secret: the very one notification is given.
    const clientSecret = Buffer.from(
      (await secretData('notification-auth-client')).clientSecret ?? '',
      'base64',
    ).toString();
    const clients = JSON.parse(
      Buffer.from((await secretData('auth-clients')).clients ?? '', 'base64').toString(),
    ) as { client_id: string; client_secret: string }[];
    assert.deepEqual(
      clients.map((client) => [client.client_id, client.client_secret]),
      [['notification', clientSecret]],
    );
    assert.ok(clientSecret.length >= 40);
  });

  it('When the platform is deployed again with nothing changed, then nothing is applied, no revision is recorded, and it says so', async () => {
    const secretsBefore = {
      database: await secretData('shoal-auth-postgresql'),
      keyEncryption: await secretData('auth-generated'),
      client: await secretData('notification-auth-client'),
      admin: await secretData('auth-admin'),
    };
    const text = expectExit(await run(['deploy']), 0);
    assert.match(text.stdout, /Nothing to change: 7 release\(s\) up to date and healthy\./);
    assert.doesNotMatch(text.stdout, /applying/);
    const json = expectExit(await run(['deploy', '-o', 'json']), 0).json<DeployJson>();
    assert.equal(json.changed, false);
    assert.ok(
      json.releases.every(
        (release) =>
          release.outcome === 'unchanged' &&
          release.counts.create === 0 &&
          release.counts.update === 0,
      ),
    );
    assert.equal((await history('auth')).length, 1);
    // Generated credentials are never regenerated (helm template makes new random ones every time).
    assert.deepEqual(
      {
        database: await secretData('shoal-auth-postgresql'),
        keyEncryption: await secretData('auth-generated'),
        client: await secretData('notification-auth-client'),
        admin: await secretData('auth-admin'),
      },
      secretsBefore,
    );
    assert.doesNotMatch(
      text.stdout + json.releases.map((r) => JSON.stringify(r)).join(''),
      new RegExp(Object.values(secretsBefore.database)[0] ?? 'never'),
    );
  });

  it('When auth is deployed with a new image, then its Deployment rolls out to it and history records revision 2', async () => {
    const result = expectExit(
      await run(['deploy', 'auth', '--image', 'auth=shoal/auth:2.0.0', '-o', 'json']),
      0,
    ).json<DeployJson>();
    assert.deepEqual(
      result.releases.map((release) => [release.name, release.outcome, release.revision]),
      [['auth', 'deployed', 2]],
    );
    const deployment = await deploymentOf('auth');
    assert.equal(deployment.spec?.template.spec?.containers[0]?.image, 'shoal/auth:2.0.0');
    assert.equal(deployment.status?.updatedReplicas, deployment.status?.replicas);
    const revisions = await history('auth');
    assert.deepEqual(
      revisions.map((revision) => [revision.revision, revision.status, revision.images]),
      [
        [1, 'superseded', ['shoal/auth:0.1.0']],
        [2, 'deployed', ['shoal/auth:2.0.0']],
      ],
    );
  });

  it('When auth is rolled back to revision 1, then the earlier image is back and revision 2 is marked rolled-back', async () => {
    const text = expectExit(await run(['rollback', 'auth', '--to', '1']), 0);
    assert.match(text.stdout, /auth rolled back to revision 1 \(recorded as revision 3\)/);
    assert.equal(
      (await deploymentOf('auth')).spec?.template.spec?.containers[0]?.image,
      'shoal/auth:0.1.0',
    );
    assert.deepEqual(
      (await history('auth')).map((revision) => [
        revision.revision,
        revision.status,
        revision.description,
      ]),
      [
        [1, 'superseded', 'deploy'],
        [2, 'rolled-back', 'deploy'],
        [3, 'deployed', 'rollback to 1'],
      ],
    );
  });

  it('When user is deployed with pods that crash, then the deploy fails at once naming CrashLoopBackOff and rolls user back', async () => {
    const run1 = expectExit(
      await run(['deploy', 'user', '--env', 'user-crashes', '-o', 'json']),
      1,
    );
    const [user] = run1.json<DeployJson>().releases;
    assert.equal(user?.outcome, 'rolled-back');
    assert.match(
      user?.diagnosis?.[0]?.reason ?? '',
      /container user: CrashLoopBackOff, last exit code 1/,
    );
    assert.deepEqual(user?.rollback && [user.rollback.toRevision, user.rollback.ok], [1, true]);
    const template = (await deploymentOf('user')).spec?.template.metadata?.labels ?? {};
    assert.equal(
      template['testbed.shoal.dev/behavior'],
      undefined,
      'the crashing template is gone',
    );
    assert.deepEqual(
      (await history('user')).map((revision) => revision.status),
      ['superseded', 'failed', 'deployed'],
    );
  });

  it('When a deploy is interrupted (Ctrl-C) while pods crash, then it exits 130 as it is, and the next deploy converges from there', async () => {
    const controller = new AbortController();
    const interrupted = expectExit(
      await shoal(
        ['--file', file, '--namespace', ns.name, 'deploy', 'user', '--env', 'user-crashes'],
        {},
        {
          signal: controller.signal,
          onOutput: (text) => {
            if (text.includes('user: waiting until healthy')) controller.abort();
          },
        },
      ),
      130,
    );
    assert.match(interrupted.stdout, /user: interrupted/);
    assert.equal((await history('user')).at(-1)?.status, 'failed');
    const converged = expectExit(await run(['deploy', 'user', '-o', 'json']), 0).json<DeployJson>();
    assert.equal(converged.releases[0]?.outcome, 'deployed');
    const template = (await deploymentOf('user')).spec?.template.metadata?.labels ?? {};
    assert.equal(template['testbed.shoal.dev/behavior'], undefined);
  });

  it('When notification never becomes ready and the kubelet reports failed readiness probes, then the deploy fails on them without waiting for its timeout', async () => {
    const reported = new Set<string>();
    const reports: Promise<unknown>[] = [];
    // The testbed has no kubelet: report the probe failures as the kubelet would, as events.
    const reportProbeFailures = (text: string): void => {
      for (const [, pod] of text.matchAll(
        /pod (notification-[a-z0-9-]+) Running: running, not ready/g,
      )) {
        if (!pod || reported.has(pod)) continue;
        reported.add(pod);
        reports.push(
          core().createNamespacedEvent({
            namespace: ns.name,
            body: {
              metadata: { name: `${pod}.probe`, namespace: ns.name },
              involvedObject: { kind: 'Pod', name: pod, namespace: ns.name, apiVersion: 'v1' },
              reason: 'Unhealthy',
              type: 'Warning',
              message: 'Readiness probe failed: HTTP probe failed with statuscode: 503',
              // A minute of failures at the chart's probe period (see probe-failures.ts).
              count: 30,
              source: { component: 'kubelet' },
            },
          }),
        );
      }
    };
    const failed = expectExit(
      await shoal(
        [
          '--file',
          file,
          '--namespace',
          ns.name,
          'deploy',
          'notification',
          '--env',
          'notification-never-ready',
        ],
        {},
        { onOutput: reportProbeFailures },
      ),
      1,
    );
    await Promise.all(reports);
    assert.match(
      failed.stdout,
      /notification: FAILED: Pod\/notification-[a-z0-9-]+: readiness probe failing \(x30\): HTTP probe failed with statuscode: 503\n/,
    );
    assert.match(
      failed.stdout,
      /event Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 503 \(x30\)/,
    );
    assert.match(failed.stdout, /notification: rolled back to revision 1/);
  });

  it('When reporting cannot pull its image and --no-rollback is given, then it stays failed with the reason; the next good deploy fixes it', async () => {
    const failed = expectExit(
      await run(['deploy', 'reporting', '--env', 'reporting-image-missing', '--no-rollback']),
      1,
    );
    assert.match(
      failed.stdout,
      /reporting: FAILED: Pod\/reporting-[a-z0-9-]+: container reporting: ImagePullBackOff/,
    );
    assert.doesNotMatch(failed.stdout, /rolled back/);
    assert.equal(
      (await deploymentOf('reporting')).spec?.template.metadata?.labels?.[
        'testbed.shoal.dev/behavior'
      ],
      'image-pull-failure',
    );
    // The failing pods belong to the old ReplicaSet now: they must not fail the fix.
    const fixed = expectExit(
      await run(['deploy', 'reporting', '-o', 'json']),
      0,
    ).json<DeployJson>();
    assert.equal(fixed.releases[0]?.outcome, 'deployed');
  });

  it('When event stops rendering its Ingress, then --no-prune keeps it and a plain deploy prunes it', async () => {
    const networking = ns.kubeConfig.makeApiClient(NetworkingV1Api);
    const ingressNames = async () =>
      (await networking.listNamespacedIngress({ namespace: ns.name })).items.map(
        (i) => i.metadata?.name,
      );
    expectExit(await run(['deploy', 'event', '--env', 'event-without-ingress', '--no-prune']), 0);
    assert.ok((await ingressNames()).includes('event'));
    const diff = expectExit(
      await run(['diff', 'event', '--env', 'event-without-ingress', '-o', 'json']),
      0,
    ).json<{ releases: ReleaseResultJson[] }>();
    assert.deepEqual(
      diff.releases[0]?.changes.map((change) => `${change.action} ${change.kind}/${change.name}`),
      ['prune Ingress/event', 'prune Ingress/event-webhooks'],
    );
    const pruned = expectExit(
      await run(['deploy', 'event', '--env', 'event-without-ingress', '-o', 'json']),
      0,
    ).json<DeployJson>();
    assert.equal(pruned.releases[0]?.counts.prune, 2);
    assert.ok(!(await ingressNames()).includes('event'));
  });

  it('When another field manager owns a field shoal applies, then deploy reports the conflict naming that manager; --force-conflicts takes it over', async () => {
    const objects = KubernetesObjectApi.makeApiClient(ns.kubeConfig);
    await objects.patch(
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'auth', namespace: ns.name },
        data: { LOG_LEVEL: 'debug' },
      },
      undefined,
      undefined,
      'sre-hotfix',
      true,
      PatchStrategy.ServerSideApply,
    );
    const refused = expectExit(await run(['deploy', 'auth']), 4);
    assert.match(
      refused.stderr,
      /^shoal: Cannot apply ConfigMap [a-z0-9-]+\/auth: field manager "sre-hotfix" owns \.data\.LOG_LEVEL; re-run with --force-conflicts to take ownership\.\n$/,
    );
    expectExit(await run(['deploy', 'auth', '--force-conflicts']), 0);
    const configMap = await core().readNamespacedConfigMap({ name: 'auth', namespace: ns.name });
    assert.equal(configMap.data?.LOG_LEVEL, 'info');
  });

  it('When another deploy of a release holds its lock, then deploy says who and since when, exit 1; once released, it deploys', async () => {
    const leases = ns.kubeConfig.makeApiClient(CoordinationV1Api);
    await leases.createNamespacedLease({
      namespace: ns.name,
      body: {
        metadata: { name: 'shoal.lock.auth', namespace: ns.name },
        spec: { holderIdentity: 'alice@laptop (pid 4242)', leaseDurationSeconds: 600 },
      },
    });
    const busy = expectExit(await run(['deploy', 'auth', '--image', 'auth=shoal/auth:3.0.0']), 1);
    assert.match(
      busy.stderr,
      /^shoal: Release auth is being deployed by alice@laptop \(pid 4242\) since .*; wait for it to finish, or delete that Lease if the deploy is gone\.\n$/,
    );
    assert.equal(
      (await deploymentOf('auth')).spec?.template.spec?.containers[0]?.image,
      'shoal/auth:0.1.0',
    );
    await leases.deleteNamespacedLease({ name: 'shoal.lock.auth', namespace: ns.name });
    expectExit(await run(['deploy', 'auth', '--image', 'auth=shoal/auth:3.0.0']), 0);
    // The deploy released its own lock.
    await assert.rejects(
      leases.readNamespacedLease({ name: 'shoal.lock.auth', namespace: ns.name }),
      /404|not found/i,
    );
    expectExit(await run(['deploy', 'auth']), 0);
  });

  it('When a release is locked by another deploy, then the releases after it are skipped and none of their locks (taken while planning) stays behind', async () => {
    const leases = ns.kubeConfig.makeApiClient(CoordinationV1Api);
    await leases.createNamespacedLease({
      namespace: ns.name,
      body: {
        metadata: { name: 'shoal.lock.auth', namespace: ns.name },
        spec: { holderIdentity: 'alice@laptop (pid 4242)', leaseDurationSeconds: 600 },
      },
    });
    const busy = expectExit(
      await run([
        'deploy',
        'auth',
        'user',
        '--image',
        'auth=shoal/auth:3.0.0',
        '--image',
        'user=shoal/user:3.0.0',
      ]),
      1,
    );
    assert.match(busy.stderr, /^shoal: Release auth is being deployed by alice@laptop/);
    assert.equal(
      (await deploymentOf('user')).spec?.template.spec?.containers[0]?.image,
      'shoal/user:0.1.0',
    );
    await assert.rejects(
      leases.readNamespacedLease({ name: 'shoal.lock.user', namespace: ns.name }),
      /404|not found/i,
    );
    await leases.deleteNamespacedLease({ name: 'shoal.lock.auth', namespace: ns.name });
  });

  it('When a Service was deleted by hand, then diff shows it to create and deploy restores it', async () => {
    await core().deleteNamespacedService({ name: 'user', namespace: ns.name });
    const diff = expectExit(await run(['diff', '--exit-code']), 1);
    assert.match(
      diff.stdout,
      /user \([a-z0-9-]+\): 1 to create, \d+ unchanged\n {2}\+ create Service\/user/,
    );
    expectExit(await run(['deploy', 'user']), 0);
    assert.equal(
      (await core().readNamespacedService({ name: 'user', namespace: ns.name })).metadata?.name,
      'user',
    );
  });

  it('When user is scaled by hand, then deploy keeps the count and removes its HPA; with HPA bounds, deploy puts them on the HPA', async () => {
    const clients = connectKube({ kubeconfig: loadKubeTestbed().kubeconfigPath });
    const autoscaling = ns.kubeConfig.makeApiClient(AutoscalingV2Api);
    await writeOverrides(clients, 'user', ns.name, { replicas: 3 });
    const fixed = expectExit(await run(['deploy', 'user']), 0);
    assert.match(fixed.stdout, /HorizontalPodAutoscaler user not applied: scaled to 3 by hand/);
    assert.equal((await deploymentOf('user')).spec?.replicas, 3);
    await assert.rejects(
      autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'user', namespace: ns.name }),
      /404|not found/i,
    );
    await writeOverrides(clients, 'user', ns.name, { minReplicas: 3, maxReplicas: 4 });
    expectExit(await run(['deploy', 'user']), 0);
    const hpa = await autoscaling.readNamespacedHorizontalPodAutoscaler({
      name: 'user',
      namespace: ns.name,
    });
    assert.deepEqual([hpa.spec?.minReplicas, hpa.spec?.maxReplicas], [3, 4]);
    expectExit(await run(['deploy', 'user']), 0);
    assert.equal((await history('user')).at(-1)?.status, 'deployed');
  });

  it('When the platform is destroyed with --keep-data, then volumes and credentials stay and a new deploy finds the same credentials', async () => {
    const passwordBefore = await secretData('shoal-postgresql');
    const kept = expectExit(await run(['destroy', '--keep-data', '-o', 'json']), 0).json<{
      releases: { name: string; kept: string[] }[];
    }>();
    assert.ok(
      kept.releases
        .find((release) => release.name === 'platform')
        ?.kept.includes('Secret/shoal-postgresql'),
    );
    assert.equal((await apps().listNamespacedDeployment({ namespace: ns.name })).items.length, 0);
    const claims = await core().listNamespacedPersistentVolumeClaim({ namespace: ns.name });
    assert.deepEqual(
      claims.items.map((claim) => claim.metadata?.name).sort(),
      [...PLATFORM_CLAIMS].sort(),
    );
    assert.equal((await history('auth')).length, 0);
    expectExit(await run(['deploy', 'platform']), 0);
    assert.deepEqual(await secretData('shoal-postgresql'), passwordBefore);
  });

  it('When the platform is destroyed, then its objects, volume claims, generated secrets and history are gone', async () => {
    const destroyed = expectExit(await run(['destroy']), 0);
    assert.match(destroyed.stdout, /platform: deleted \d+ object\(s\)/);
    assert.match(destroyed.stdout, /secrets: deleted .*auth-clients/);
    const secrets = (await core().listNamespacedSecret({ namespace: ns.name })).items.map(
      (secret) => secret.metadata?.name,
    );
    assert.deepEqual(secrets, []);
    assert.equal(
      (await core().listNamespacedPersistentVolumeClaim({ namespace: ns.name })).items.filter(
        (claim) => !claim.metadata?.deletionTimestamp,
      ).length,
      0,
    );
    assert.equal((await history('platform')).length, 0);
  });
});

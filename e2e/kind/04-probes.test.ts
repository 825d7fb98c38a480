// The probes really run on the cluster: stop auth's database (PostgreSQL's StatefulSet scaled
// to 0) and auth's pods go unready by their readiness probe (/readyz checks PostgreSQL), the
// gateway answers auth's routes with a 503 problem; start it again and everything comes back
// by itself, without a restart, and the admin logs in again. Whatever happens, the database
// is started again and the platform is healthy before the suite ends.
import assert from 'node:assert/strict';
import type { GatewayClient } from '../journeys/support/gateway-client.ts';
import { connectKindCluster } from './support/kind-cluster.ts';
import type { KindCluster } from './support/kind-cluster.ts';
import { connectPlatformApi } from './support/platform-api.ts';
import type { PlatformApi } from './support/platform-api.ts';
import { runShoal } from './support/shoal-cli.ts';
import { waitUntil } from './support/wait-until.ts';
import { appPods, describePods } from './support/workload-pods.ts';
import type { PodReadiness } from './support/workload-pods.ts';

/** Bounds of the waits: generous next to the probes' periods (5 s, 2 failures). */
const UNREADY_WITHIN_MS = 120_000;
const RECOVER_WITHIN_MS = 300_000;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

describe('kind: probes really run (auth while its PostgreSQL is stopped)', function () {
  this.timeout(600_000);
  let cluster: KindCluster;
  let platform: PlatformApi | undefined;
  let api: GatewayClient;
  let admin: { email: string; password: string };
  let database: string;
  let replicasBefore: number;
  let authBefore: PodReadiness[];
  let stoppedAt: number | undefined;
  let databaseGoneAt = 0;

  const login = () => api.post('/api/auth/login', { email: admin.email, password: admin.password });

  const scaleDatabase = async (replicas: number) => {
    await cluster.apps.replaceNamespacedStatefulSetScale({
      name: database,
      namespace: cluster.namespace,
      body: {
        apiVersion: 'autoscaling/v1',
        kind: 'Scale',
        metadata: { name: database, namespace: cluster.namespace },
        spec: { replicas },
      },
    });
  };

  const databaseReplicas = async () =>
    (await cluster.apps.readNamespacedStatefulSet({ name: database, namespace: cluster.namespace }))
      .spec?.replicas ?? 0;

  const authReadyAndLoginWorks = async () => {
    const pods = await appPods(cluster, 'auth');
    if (pods.length === 0 || pods.some((pod) => !pod.ready)) {
      return { done: false, seen: `auth: ${describePods(pods)}` };
    }
    const response = await login();
    return {
      done: response.status === 200,
      seen: `auth: ${describePods(pods)}; login ${response.status} ${response.text.slice(0, 120)}`,
    };
  };

  before(async function () {
    cluster = connectKindCluster();
    const statefulSets = await cluster.apps.listNamespacedStatefulSet({
      namespace: cluster.namespace,
      labelSelector: 'app.kubernetes.io/name=postgresql',
    });
    const found = statefulSets.items[0];
    assert.ok(found?.metadata?.name, `a PostgreSQL StatefulSet in namespace ${cluster.namespace}`);
    database = found.metadata.name;
    replicasBefore = found.spec?.replicas ?? 1;
    assert.ok(replicasBefore > 0, `${database} runs (replicas ${replicasBefore})`);

    platform = await connectPlatformApi(cluster);
    ({ api, admin } = platform);

    // The starting point: auth ready and logging in.
    await waitUntil(
      'auth ready and the admin logging in before the outage',
      authReadyAndLoginWorks,
      60_000,
    );
    authBefore = await appPods(cluster, 'auth');
  });

  after(async function () {
    // Whatever failed: the database runs again and auth serves before the next suite.
    try {
      if (cluster !== undefined && stoppedAt !== undefined) {
        if ((await databaseReplicas()) < replicasBefore) await scaleDatabase(replicasBefore);
        await waitUntil(
          'auth recovered after the suite',
          authReadyAndLoginWorks,
          RECOVER_WITHIN_MS,
        );
      }
    } finally {
      await platform?.close();
    }
  });

  it('When PostgreSQL is scaled to 0, then every auth pod goes unready by its readiness probe', async function () {
    console.log(`      auth before: ${describePods(authBefore)}`);
    stoppedAt = performance.now();
    // Event times have whole seconds: a second's margin.
    const stoppedSince = Date.now() - 1000;
    // The pods that serve now are the ones whose probes must turn them away; a pod the HPA adds
    // meanwhile (the journey's logins cost CPU) is simply never ready.
    const readyAtStop = (await appPods(cluster, 'auth')).filter((pod) => pod.ready);
    await scaleDatabase(0);
    await waitUntil(
      `${database}'s pod gone`,
      async () => {
        // Gone altogether: PostgreSQL's smart shutdown lets open sessions finish first.
        const pods = await appPods(cluster, 'postgresql', { terminating: true });
        return { done: pods.length === 0, seen: describePods(pods) };
      },
      UNREADY_WITHIN_MS,
    );
    databaseGoneAt = performance.now();
    await waitUntil(
      'every auth pod not ready',
      async () => {
        const replicas = await databaseReplicas();
        if (replicas > 0) {
          return {
            done: false,
            hopeless: true,
            seen: `${database} was scaled back to ${replicas} by someone else during the outage (a concurrent deploy?)`,
          };
        }
        const pods = await appPods(cluster, 'auth');
        return {
          done: pods.length > 0 && pods.every((pod) => !pod.ready),
          seen: describePods(pods),
        };
      },
      UNREADY_WITHIN_MS,
      250,
    );
    const unreadyAt = performance.now();
    // The kubelet says why: the readiness probe (/readyz, which checks PostgreSQL) answered 503.
    const stillThere = new Set((await appPods(cluster, 'auth')).map((pod) => pod.name));
    for (const pod of readyAtStop.filter((ready) => stillThere.has(ready.name))) {
      const events = await cluster.core.listNamespacedEvent({
        namespace: cluster.namespace,
        fieldSelector: `involvedObject.name=${pod.name},reason=Unhealthy`,
      });
      const failures = events.items
        .filter((event) => {
          const last = event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp;
          return last !== undefined && new Date(last).getTime() >= stoppedSince;
        })
        .map((event) => event.message ?? '')
        .filter((message) => /Readiness probe failed/.test(message));
      assert.ok(
        failures.some((message) => /statuscode: 503/.test(message)),
        `${pod.name}: the kubelet's readiness probe failed with 503 (events: ${failures.join('; ') || 'none'})`,
      );
    }
    console.log(
      `      auth unready ${seconds(unreadyAt - databaseGoneAt)} after ${database}'s pod was gone (${seconds(unreadyAt - stoppedAt)} after the scale to 0)`,
    );
  });

  it("While it is stopped, then the gateway answers auth's routes with 503 application/problem+json", async function () {
    assert.equal(await databaseReplicas(), 0, `${database} is still stopped`);
    const response = await login();
    assert.equal(response.status, 503, `POST /api/auth/login: ${response.status} ${response.text}`);
    assert.match(
      response.headers.get('content-type') ?? '',
      /^application\/problem\+json/,
      `content type of ${response.status} ${response.text}`,
    );
    assert.equal(response.body['status'], 503, response.text);
  });

  it('When PostgreSQL is scaled back, then auth becomes ready by itself, without a restart, and the admin logs in', async function () {
    const startedAt = performance.now();
    await scaleDatabase(replicasBefore);
    await waitUntil(
      `${database} ready again`,
      async () => {
        const pods = await appPods(cluster, 'postgresql');
        return {
          done: pods.length > 0 && pods.every((pod) => pod.ready),
          seen: describePods(pods),
        };
      },
      RECOVER_WITHIN_MS,
    );
    const databaseReadyAt = performance.now();
    await waitUntil(
      'auth ready and the admin logging in',
      authReadyAndLoginWorks,
      RECOVER_WITHIN_MS,
      250,
    );
    const recoveredAt = performance.now();
    console.log(
      `      auth recovered ${seconds(recoveredAt - databaseReadyAt)} after ${database} was ready again (${seconds(recoveredAt - startedAt)} after the scale to ${replicasBefore})`,
    );
    const authAfter = await appPods(cluster, 'auth');
    console.log(`      auth after: ${describePods(authAfter)}`);
    // The pods that served before the outage recovered in place: still there, not restarted.
    // A pod the autoscaler added meanwhile started without its database and may have been.
    const before = new Set(authBefore.map((pod) => pod.name));
    assert.deepEqual(
      authAfter
        .filter((pod) => before.has(pod.name))
        .map((pod) => `${pod.name}: ${pod.restarts} restart(s)`),
      authBefore.map((pod) => `${pod.name}: ${pod.restarts} restart(s)`),
      'the auth pods of before the outage, not restarted',
    );
    stoppedAt = undefined;
  });

  it('When everything has recovered, then `shoal status` reports every release healthy again', async function () {
    await waitUntil(
      'shoal status healthy',
      async () => {
        const run = await runShoal(cluster, ['status', '-o', 'json']);
        const document = JSON.parse(run.stdout || '{}') as {
          releases?: { name: string; health: { status: string; reason: string } }[];
        };
        const unhealthy = (document.releases ?? [])
          .filter((release) => release.health.status !== 'Healthy')
          .map((release) => `${release.name}: ${release.health.status} (${release.health.reason})`);
        return {
          done: run.exitCode === 0,
          seen: `exit ${run.exitCode}; ${unhealthy.join('; ') || run.stderr}`,
        };
      },
      RECOVER_WITHIN_MS,
      2000,
    );
  });
});

// The platform's data lives on volumes, not in pods: a person registers, edits their profile
// and the admin publishes an event; then the PostgreSQL and MongoDB-wire pods are deleted, and
// later the whole platform is destroyed with --keep-data and deployed again with `make deploy`.
// Each time, accounts (auth, PostgreSQL), profiles (user, FerretDB) and events (the hub,
// FerretDB) are all there, and the generated credentials are the same: logins still work.
// Whatever fails, the suite leaves a deployed platform behind.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { GatewayClient } from '../journeys/support/gateway-client.ts';
import { connectKindCluster } from './support/kind-cluster.ts';
import type { KindCluster } from './support/kind-cluster.ts';
import { connectPlatformApi } from './support/platform-api.ts';
import type { PlatformApi } from './support/platform-api.ts';
import { readSecretData } from './support/secret-data.ts';
import { runShoal } from './support/shoal-cli.ts';
import { waitUntil } from './support/wait-until.ts';
import { appPods, describePods } from './support/workload-pods.ts';

/** Generous next to a database pod's start (image present, volume local). */
const RECOVER_WITHIN_MS = 300_000;
/** `make deploy` on a cluster whose images are loaded: kind-up's checks, then the deploy. */
const DEPLOY_WITHIN_MS = 900_000;
/** The label the deployer puts on the Secrets it generates (deployer/src/state/labels.ts). */
const GENERATED_SECRETS = 'shoal.dev/state=generated-secret';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** `make deploy` from the repository root, as the operator runs it. */
function makeDeploy(cluster: KindCluster): Promise<{ exitCode: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'make',
      ['--no-print-directory', 'deploy'],
      { cwd: cluster.repoRoot, timeout: DEPLOY_WITHIN_MS, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code;
        resolve({
          exitCode: error ? (typeof code === 'number' ? code : 1) : 0,
          output: `${stdout}${stderr}`,
        });
      },
    );
  });
}

describe('kind: data survives (volumes, destroy --keep-data)', function () {
  this.timeout(DEPLOY_WITHIN_MS + RECOVER_WITHIN_MS);
  let cluster: KindCluster;
  let platform: PlatformApi | undefined;
  let api: GatewayClient;
  let admin: { email: string; password: string };
  const person = {
    email: `survivor-${randomBytes(4).toString('hex')}@example.com`,
    password: 'a password that outlives pods',
    displayName: `Survivor ${randomBytes(2).toString('hex')}`,
  };
  let eventId: string;
  /** The platform is gone (destroyed) and not deployed again yet. */
  let destroyed = false;

  const loginOf = async (who: { email: string; password: string }) => {
    const response = await api.post('/api/auth/login', who);
    const token = response.body['access_token'];
    return { status: response.status, token: typeof token === 'string' ? token : '' };
  };

  /** Whether the person's account, their profile and the admin's event are all readable. */
  const everythingIsThere = async () => {
    const personLogin = await loginOf(person);
    if (personLogin.status !== 200)
      return { done: false, seen: `person login ${personLogin.status}` };
    const profile = await api.get('/api/users/me', { token: personLogin.token });
    if (profile.body['displayName'] !== person.displayName) {
      return { done: false, seen: `profile ${profile.status} ${profile.text.slice(0, 120)}` };
    }
    const adminLogin = await loginOf(admin);
    if (adminLogin.status !== 200) return { done: false, seen: `admin login ${adminLogin.status}` };
    const event = await api.get(`/api/events/${encodeURIComponent(eventId)}`, {
      token: adminLogin.token,
    });
    return {
      done: event.status === 200 && event.body['id'] === eventId,
      seen: `event ${event.status} ${event.text.slice(0, 120)}`,
    };
  };

  /** The generated Secrets' decoded data by name. */
  const generatedSecrets = async () => {
    const list = await cluster.core.listNamespacedSecret({
      namespace: cluster.namespace,
      labelSelector: GENERATED_SECRETS,
    });
    const names = list.items.map((secret) => secret.metadata?.name ?? '').sort();
    return Object.fromEntries(
      await Promise.all(names.map(async (name) => [name, await readSecretData(cluster, name)])),
    ) as Record<string, Record<string, string>>;
  };

  before(async function () {
    cluster = connectKindCluster();
    platform = await connectPlatformApi(cluster);
    ({ api, admin } = platform);

    // The data: an account, a profile edited after the registration made it, an event.
    const registered = await api.post('/api/auth/register', { ...person, name: 'Survivor' });
    assert.equal(registered.status, 201, registered.text);
    const { token } = await loginOf(person);
    await waitUntil(
      'the profile made from the registration',
      async () => {
        const profile = await api.get('/api/users/me', { token });
        return { done: profile.status === 200, seen: `${profile.status} ${profile.text}` };
      },
      60_000,
    );
    const patched = await api.patch(
      '/api/users/me',
      { displayName: person.displayName },
      { token },
    );
    assert.equal(patched.status, 200, patched.text);
    const adminToken = (await loginOf(admin)).token;
    const published = await api.post(
      '/api/events',
      { type: 'integration.kind.survivor', subject: person.email, data: { kept: true } },
      { token: adminToken },
    );
    assert.equal(published.status, 202, published.text);
    eventId = String(published.body['id']);
    await waitUntil('the data written', everythingIsThere, 60_000);
  });

  after(async function () {
    try {
      if (cluster !== undefined && destroyed) {
        const again = await makeDeploy(cluster);
        console.log(`      make deploy after the suite: exit ${again.exitCode}`);
      }
    } finally {
      await platform?.close();
    }
  });

  it('When the PostgreSQL and MongoDB-wire pods are deleted, then they come back on their volumes with every account, profile and event', async function () {
    const stores = ['postgresql', 'mongodb'];
    const before = new Map<string, string>();
    for (const store of stores) {
      const pods = await cluster.core.listNamespacedPod({
        namespace: cluster.namespace,
        labelSelector: `app.kubernetes.io/name=${store}`,
      });
      assert.equal(pods.items.length, 1, `one ${store} pod`);
      const pod = pods.items[0]!;
      before.set(store, pod.metadata?.uid ?? '');
      await cluster.core.deleteNamespacedPod({
        name: pod.metadata?.name ?? '',
        namespace: cluster.namespace,
      });
    }
    const deletedAt = performance.now();
    for (const store of stores) {
      await waitUntil(
        `a new ${store} pod ready`,
        async () => {
          const list = await cluster.core.listNamespacedPod({
            namespace: cluster.namespace,
            labelSelector: `app.kubernetes.io/name=${store}`,
          });
          const fresh = list.items.filter((pod) => pod.metadata?.uid !== before.get(store));
          const pods = await appPods(cluster, store);
          return {
            done: fresh.length === 1 && pods.length === 1 && pods[0]!.ready,
            seen: describePods(pods),
          };
        },
        RECOVER_WITHIN_MS,
      );
    }
    await waitUntil('the account, the profile and the event', everythingIsThere, RECOVER_WITHIN_MS);
    console.log(
      `      data readable again ${seconds(performance.now() - deletedAt)} after both pods were deleted`,
    );
  });

  it('When the operator runs `shoal destroy --keep-data` and then `make deploy`, then the data and the generated credentials are the same and logins still work', async function () {
    const secretsBefore = await generatedSecrets();
    assert.ok(Object.keys(secretsBefore).length > 0, 'the deployer generated Secrets');
    const claimsBefore = (
      await cluster.core.listNamespacedPersistentVolumeClaim({ namespace: cluster.namespace })
    ).items.map((claim) => `${claim.metadata?.name ?? ''} ${claim.spec?.volumeName ?? ''}`);
    assert.ok(claimsBefore.length >= 2, `the data stores' claims: ${claimsBefore.join(', ')}`);

    destroyed = true;
    const destroy = await runShoal(cluster, ['destroy', '--keep-data'], { timeoutMs: 600_000 });
    assert.equal(
      destroy.exitCode,
      0,
      `shoal destroy --keep-data: ${destroy.stderr}${destroy.stdout}`,
    );
    assert.deepEqual(await appPods(cluster, 'auth'), [], 'auth is gone');

    const startedAt = performance.now();
    const deploy = await makeDeploy(cluster);
    assert.equal(deploy.exitCode, 0, `make deploy: ${deploy.output.slice(-2000)}`);
    destroyed = false;
    console.log(
      `      make deploy after destroy --keep-data: ${seconds(performance.now() - startedAt)}`,
    );

    const claimsAfter = (
      await cluster.core.listNamespacedPersistentVolumeClaim({ namespace: cluster.namespace })
    ).items.map((claim) => `${claim.metadata?.name ?? ''} ${claim.spec?.volumeName ?? ''}`);
    assert.deepEqual(
      claimsAfter.sort(),
      claimsBefore.sort(),
      'the same claims on the same volumes',
    );
    assert.deepEqual(await generatedSecrets(), secretsBefore, 'the same generated credentials');
    await waitUntil('the account, the profile and the event', everythingIsThere, RECOVER_WITHIN_MS);
  });
});

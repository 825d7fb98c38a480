import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { loadTestbedKubeConfig, useTestNamespace } from '@shoal/testbed';
import { expectExit, shoal } from './support/cli.ts';

const PLATFORM_FILE = fileURLToPath(new URL('../../shoal.yaml', import.meta.url));

/** A kubeconfig for the testbed's API server with `user` as its credentials. */
function kubeconfigWith(server: string, user: { token?: string }, insecure = true): string {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: insecure }],
    users: [{ name: 'u', ...user }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const file = join(mkdtempSync(join(tmpdir(), 'shoal-kubeconfig-')), 'config');
  writeFileSync(file, config.exportConfig());
  return file;
}

describe('shoal errors: one sentence and a documented exit code', function () {
  this.timeout(60_000);
  const namespace = useTestNamespace('deployer-errors');
  const server = () => loadTestbedKubeConfig().getCurrentCluster()?.server ?? '';

  it('When the cluster cannot be reached, then shoal says so in one sentence and exits 3', async () => {
    const kubeconfig = kubeconfigWith('https://127.0.0.1:45999', { token: 'x' });
    const run = expectExit(
      await shoal(['--kubeconfig', kubeconfig, '--file', PLATFORM_FILE, 'history', 'auth']),
      3,
    );
    assert.equal(
      run.stderr,
      'shoal: Cannot reach the cluster at https://127.0.0.1:45999 (connection refused); is it running, and is the kubeconfig context right?\n',
    );
  });

  it('When the credentials are rejected, then shoal names the 401 and exits 3', async () => {
    const kubeconfig = kubeconfigWith(server(), { token: 'not-a-real-token' });
    const run = expectExit(
      await shoal([
        '--kubeconfig',
        kubeconfig,
        '--file',
        PLATFORM_FILE,
        'history',
        'auth',
        '-o',
        'json',
      ]),
      3,
    );
    const body = run.json<{ error: { message: string; code: number } }>();
    assert.match(body.error.message, /rejected our credentials \(401 Unauthorized\)/);
    assert.equal(body.error.code, 401);
  });

  it('When the user may not read release state, then shoal names the 403 and exits 3', async () => {
    const core = loadTestbedKubeConfig().makeApiClient(CoreV1Api);
    await core.createNamespacedServiceAccount({
      namespace: namespace.name,
      body: { metadata: { name: 'nobody' } },
    });
    const token = await core.createNamespacedServiceAccountToken({
      name: 'nobody',
      namespace: namespace.name,
      body: { spec: { audiences: [] } },
    });
    const kubeconfig = kubeconfigWith(server(), { token: token.status?.token ?? '' });
    const run = expectExit(
      await shoal([
        '--kubeconfig',
        kubeconfig,
        '--file',
        PLATFORM_FILE,
        '-n',
        namespace.name,
        'history',
        'auth',
      ]),
      3,
    );
    assert.match(
      run.stderr,
      /^shoal: Cannot read the history of release auth: permission denied \(403 Forbidden\): secrets is forbidden: .*nobody.*\.\n$/,
    );
  });

  it('When a release, a flag or a context is unknown, then shoal exits 2 saying what is known', async () => {
    const unknownRelease = expectExit(
      await shoal(['--file', PLATFORM_FILE, 'history', 'billing']),
      2,
    );
    assert.match(
      unknownRelease.stderr,
      /No release "billing" in .*shoal\.yaml \(releases: platform, auth, gateway, user, event, notification, reporting\)/,
    );
    const unknownFlag = expectExit(await shoal(['--file', PLATFORM_FILE, 'deploy', '--forse']), 2);
    assert.match(unknownFlag.stderr, /unknown option '--forse'/);
    const unknownContext = expectExit(
      await shoal(['--file', PLATFORM_FILE, '--context', 'prod', 'history', 'auth']),
      2,
    );
    assert.match(unknownContext.stderr, /The kubeconfig has no context "prod"/);
  });

  it('When helm is missing, then deploy and diff say how to get it and exit 5', async () => {
    const missing = expectExit(
      await shoal(['--file', PLATFORM_FILE, '-n', namespace.name, 'diff'], {
        SHOAL_HELM: undefined,
        PATH: '/nonexistent',
      }),
      5,
    );
    assert.match(
      missing.stderr,
      /^shoal: helm is not installed: .*set SHOAL_HELM to its path\.\n$/,
    );
    const wrong = expectExit(
      await shoal(['--file', PLATFORM_FILE, '-n', namespace.name, 'deploy'], {
        SHOAL_HELM: '/nonexistent/helm',
      }),
      5,
    );
    assert.match(
      wrong.stderr,
      /SHOAL_HELM is \/nonexistent\/helm, which is not an executable file/,
    );
  });

  it('When --help is asked, then every verb is listed with examples and exit codes, exit 0', async () => {
    const help = expectExit(await shoal(['--help']), 0);
    for (const verb of ['deploy', 'diff', 'history', 'rollback', 'destroy'])
      assert.match(help.stdout, new RegExp(`\\n  ${verb}\\b`));
    assert.match(help.stdout, /Exit codes: 0 ok/);
    const deployHelp = expectExit(await shoal(['deploy', '--help']), 0);
    assert.match(deployHelp.stdout, /--force-conflicts/);
    assert.match(deployHelp.stdout, /Examples:/);
  });
});

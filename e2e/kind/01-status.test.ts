// After `make deploy`, the operator's first look: `shoal status` over every release of
// shoal.yaml, in text and as JSON (schema shoal.dev/status.v1, deployer/README.md).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { connectKindCluster } from './support/kind-cluster.ts';
import type { KindCluster } from './support/kind-cluster.ts';
import { runShoal } from './support/shoal-cli.ts';

/** The part of `shoal status -o json` this suite reads. */
interface StatusDocument {
  apiVersion: string;
  healthy: boolean;
  releases: {
    name: string;
    namespace: string;
    revision: number | null;
    workloads: { kind: string; name: string; desired: number; ready: number }[];
    routes: { ingress: string; host: string; path: string; address: string | null }[];
    health: { status: string; reason: string };
    problems: { kind: string; name: string; health: { status: string; reason: string } }[];
  }[];
}

describe('kind: shoal status after make deploy', function () {
  this.timeout(180_000);
  let cluster: KindCluster;
  let status: StatusDocument;

  before(function () {
    cluster = connectKindCluster();
  });

  it('When the operator runs `shoal status -o json`, then every release of shoal.yaml is Healthy and it exits 0', async function () {
    const file = parse(readFileSync(join(cluster.repoRoot, 'shoal.yaml'), 'utf8')) as {
      releases: { name: string }[];
    };
    const run = await runShoal(cluster, ['status', '-o', 'json']);
    assert.ok(run.stdout.trim().startsWith('{'), `shoal status -o json printed: ${run.stderr}`);
    status = JSON.parse(run.stdout) as StatusDocument;
    for (const release of status.releases) {
      const workloads = release.workloads.map((w) => `${w.name} ${w.ready}/${w.desired}`);
      console.log(
        `      ${release.name}: ${release.health.status} (revision ${release.revision}; ${workloads.join(', ') || 'no workloads'})`,
      );
    }
    assert.equal(status.apiVersion, 'shoal.dev/status.v1');
    assert.deepEqual(
      status.releases.map((release) => release.name).sort(),
      file.releases.map((release) => release.name).sort(),
      'status lists every release of shoal.yaml',
    );
    const unhealthy = status.releases
      .filter((release) => release.health.status !== 'Healthy')
      .map((release) => `${release.name}: ${release.health.status} (${release.health.reason})`);
    assert.deepEqual(unhealthy, [], 'every release is Healthy');
    assert.equal(status.healthy, true, 'the document says healthy');
    assert.equal(run.exitCode, 0, `exit code (stderr: ${run.stderr.trim()})`);
  });

  it('When the operator runs `shoal status` in text, then it exits 0 and names every release', async function () {
    const run = await runShoal(cluster, ['status']);
    assert.equal(
      run.exitCode,
      0,
      `shoal status exited ${run.exitCode}: ${run.stderr || run.stdout}`,
    );
    for (const release of status.releases) {
      assert.match(run.stdout, new RegExp(`\\b${release.name}\\b`), `${release.name} is shown`);
    }
  });

  it("When the gateway serves the Ingresses, then every route shows the gateway's published address", function () {
    const routes = status.releases.flatMap((release) => release.routes);
    assert.ok(routes.length > 0, 'the releases have routes');
    const unpublished = routes
      .filter((route) => route.address === null)
      .map((route) => `${route.ingress} ${route.host}${route.path}`);
    assert.deepEqual(unpublished, [], 'routes without an address in their Ingress status');
  });
});

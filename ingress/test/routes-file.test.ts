import assert from 'node:assert/strict';
import { renameSync, writeFileSync } from 'node:fs';
import { parseRoutesFile } from '../src/routes/routes-file.ts';
import { eventually } from './support/eventually.ts';
import { routesYaml, startGateway } from './support/gateway-under-test.ts';
import type { GatewayUnderTest } from './support/gateway-under-test.ts';
import { httpCall } from './support/http-call.ts';
import { startUpstream } from './support/upstream-server.ts';
import type { Upstream } from './support/upstream-server.ts';

describe('the routes file for local runs', () => {
  let upstream: Upstream;
  let gateway: GatewayUnderTest;

  before(async () => {
    upstream = await startUpstream();
    gateway = await startGateway({
      routes: routesYaml({ upstream: upstream.url, paths: [{ path: '/first' }] }),
    });
  });
  after(async () => {
    await gateway.stop();
    await upstream.close();
  });

  it('When the file changes, then the new routes are served without a restart', async () => {
    assert.equal((await httpCall(`${gateway.url}/first`)).status, 200);
    gateway.writeRoutes(routesYaml({ upstream: upstream.url, paths: [{ path: '/second' }] }));
    await eventually(async () =>
      assert.equal((await httpCall(`${gateway.url}/second`)).status, 200),
    );
    assert.equal((await httpCall(`${gateway.url}/first`)).status, 404);
  });

  it('When the file is replaced by a rename (as editors and ConfigMap mounts do), then the new routes are served', async () => {
    const staged = `${gateway.routesFile}.staged`;
    writeFileSync(staged, routesYaml({ upstream: upstream.url, paths: [{ path: '/renamed' }] }));
    renameSync(staged, gateway.routesFile);
    await eventually(async () =>
      assert.equal((await httpCall(`${gateway.url}/renamed`)).status, 200),
    );
    gateway.writeRoutes(routesYaml({ upstream: upstream.url, paths: [{ path: '/second' }] }));
    await eventually(async () =>
      assert.equal((await httpCall(`${gateway.url}/second`)).status, 200),
    );
  });

  it('When an edit breaks the file, then the previous routes stay and the error is logged', async () => {
    gateway.writeRoutes('kind: [unclosed');
    await eventually(() =>
      assert.ok(
        gateway
          .logs()
          .some((line) => line['msg'] === 'routes file rejected, keeping the previous routes'),
      ),
    );
    assert.equal((await httpCall(`${gateway.url}/second`)).status, 200);
  });

  it('When a document is neither an Ingress, a List nor LocalBackends, then the error names it', () => {
    assert.throws(
      () => parseRoutesFile('apiVersion: v1\nkind: Service\nmetadata: {name: x}\n', 'routes.yaml'),
      /routes file routes\.yaml: document 1: expected networking\.k8s\.io\/v1 Ingress, List or gateway\.shoal\.dev\/v1 LocalBackends, got v1 Service/,
    );
    assert.throws(
      () =>
        parseRoutesFile(
          'apiVersion: gateway.shoal.dev/v1\nkind: LocalBackends\nbackends:\n  user: http://x\n',
          'r.yaml',
        ),
      /backend key "user" is not service\.namespace:port/,
    );
  });
});

import assert from 'node:assert/strict';
import { startGateway, routesYaml } from './support/gateway-under-test.ts';
import type { GatewayUnderTest } from './support/gateway-under-test.ts';
import { eventually } from './support/eventually.ts';
import { httpCall } from './support/http-call.ts';
import { freePort, startUpstream } from './support/upstream-server.ts';
import type { Echo, Upstream } from './support/upstream-server.ts';

describe('proxying through the gateway', () => {
  let upstream: Upstream;
  let gateway: GatewayUnderTest;

  before(async () => {
    upstream = await startUpstream();
    gateway = await startGateway({
      routes: routesYaml({
        upstream: upstream.url,
        annotations: { 'shoal.dev/timeout': '300ms' },
        paths: [
          { path: '/api', pathType: 'Prefix' },
          { path: '/slow', pathType: 'Prefix' },
        ],
      }),
    });
  });
  after(async () => {
    await gateway.stop();
    await upstream.close();
  });

  it('When a path matches a route, then the request reaches the upstream with its method, path and query', async () => {
    const res = await httpCall(`${gateway.url}/api/things?page=2`, {
      method: 'POST',
      body: 'hello',
    });
    assert.equal(res.status, 200);
    const echo = res.json<Echo>();
    assert.equal(echo.method, 'POST');
    assert.equal(echo.url, '/api/things?page=2');
    assert.equal(echo.bodyBytes, 5);
  });

  it('When no route matches, then the answer is a problem+json 404', async () => {
    const res = await httpCall(`${gateway.url}/nothing/here`);
    assert.equal(res.status, 404);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    assert.equal(res.json()['type'], 'https://shoal.dev/problems/not-found');
  });

  it('When the path is a prefix only by characters (/apix), then it does not match /api', async () => {
    const res = await httpCall(`${gateway.url}/apix`);
    assert.equal(res.status, 404);
  });

  it('When the path has dot segments or encoded slashes, then it is refused with 400 before routing', async () => {
    for (const path of ['/api/../admin', '/api/%2e%2e/admin', '/api%2fthings', '//api']) {
      const res = await httpCall(`${gateway.url}${path}`);
      assert.equal(res.status, 400, path);
    }
  });

  it('When the upstream refuses connections, then the answer is a problem+json 502 and the gateway keeps serving', async () => {
    const closedPort = await freePort();
    const dead = await startGateway({
      routes: routesYaml({ upstream: `http://127.0.0.1:${closedPort}` }),
    });
    try {
      const res = await httpCall(`${dead.url}/anything`);
      assert.equal(res.status, 502);
      assert.equal(res.json()['type'], 'https://shoal.dev/problems/upstream-unavailable');
      const again = await httpCall(`${dead.url}/anything`);
      assert.equal(again.status, 502);
    } finally {
      await dead.stop();
    }
  });

  it('When the upstream answers later than the route timeout, then the answer is a problem+json 504', async () => {
    const res = await httpCall(`${gateway.url}/slow?ms=3000`);
    assert.equal(res.status, 504);
    assert.equal(res.json()['type'], 'https://shoal.dev/problems/upstream-timeout');
  });

  it('When the upstream answers within the route timeout, then the answer passes', async () => {
    const res = await httpCall(`${gateway.url}/slow?ms=10`);
    assert.equal(res.status, 200);
  });

  it('When a request is served, then one access-log line names method, route, status, bytes, request id and upstream', async () => {
    const res = await httpCall(`${gateway.url}/api/logged`, {
      headers: { 'x-request-id': 'log-me-1' },
    });
    assert.equal(res.status, 200);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const lines = gateway
      .logs()
      .filter((line) => line['msg'] === 'request' && line['request_id'] === 'log-me-1');
    assert.equal(lines.length, 1);
    const line = lines[0] as Record<string, unknown>;
    assert.equal(line['method'], 'GET');
    assert.equal(line['route'], 'default/echo */api');
    assert.equal(line['status'], 200);
    assert.equal(line['upstream'], new URL(upstream.url).host);
    assert.equal(line['bytes'], Number(res.headers['content-length']));
    assert.equal(typeof line['duration_ms'], 'number');
  });

  it('When a request is refused before the proxy (no route), then it still gets its request id and one access-log line', async () => {
    const res = await httpCall(`${gateway.url}/nothing/logged`, {
      headers: { 'x-request-id': 'refused-1' },
    });
    assert.equal(res.status, 404);
    assert.equal(res.headers['x-request-id'], 'refused-1');
    assert.equal(res.json()['instance'], '/nothing/logged');
    await eventually(() => {
      const lines = gateway
        .logs()
        .filter((line) => line['msg'] === 'request' && line['request_id'] === 'refused-1');
      assert.equal(lines.length, 1);
      assert.equal(lines[0]?.['route'], 'unmatched');
      assert.equal(lines[0]?.['status'], 404);
    });
  });

  it('When requests were served, then /metrics on the admin port counts them by route and status', async () => {
    await httpCall(`${gateway.url}/api/counted`);
    const metrics = await httpCall(`${gateway.adminUrl}/metrics`);
    assert.match(
      metrics.text,
      /http_requests_total\{[^}]*route="default\/echo \*\/api"[^}]*status="200"[^}]*\} \d+/,
    );
    assert.match(
      metrics.text,
      /http_request_duration_seconds_bucket\{[^}]*route="default\/echo \*\/api"/,
    );
    assert.match(metrics.text, /gateway_routes\{[^}]*\} 2/);
  });

  it('When the gateway shuts down with a request in flight, then that request still completes', async () => {
    const draining = await startGateway({ routes: routesYaml({ upstream: upstream.url }) });
    const inFlight = httpCall(`${draining.url}/slow?ms=400`);
    await eventually(() =>
      assert.ok(upstream.received.some((echo) => echo.url === '/slow?ms=400')),
    );
    await draining.stop();
    assert.equal((await inFlight).status, 200);
  });

  it('When the gateway is draining, then a proxied answer tells the client to close its connection (and reconnect to another replica)', async () => {
    const draining = await startGateway({ routes: routesYaml({ upstream: upstream.url }) });
    const before = await httpCall(`${draining.url}/api/before`, {
      headers: { connection: 'keep-alive' },
    });
    assert.equal(before.headers['connection'], 'keep-alive');
    const stopping = draining.gateway.stop({ delayMs: 300 });
    const during = await httpCall(`${draining.url}/api/during`, {
      headers: { connection: 'keep-alive' },
    });
    assert.equal(during.status, 200);
    assert.equal(during.headers['connection'], 'close');
    await stopping;
  });
});

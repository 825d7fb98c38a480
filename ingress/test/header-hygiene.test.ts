import assert from 'node:assert/strict';
import { startGateway, routesYaml } from './support/gateway-under-test.ts';
import type { GatewayUnderTest } from './support/gateway-under-test.ts';
import { httpCall } from './support/http-call.ts';
import { startUpstream } from './support/upstream-server.ts';
import type { Echo, Upstream } from './support/upstream-server.ts';

describe('header hygiene at the edge', () => {
  let upstream: Upstream;
  let direct: GatewayUnderTest;
  let behindProxy: GatewayUnderTest;

  before(async () => {
    upstream = await startUpstream();
    const routes = routesYaml({ upstream: upstream.url });
    direct = await startGateway({ routes });
    // 127.0.0.1 plays a load balancer in front of this one.
    behindProxy = await startGateway({ routes, env: { TRUST_PROXY: '127.0.0.0/8' } });
  });
  after(async () => {
    await direct.stop();
    await behindProxy.stop();
    await upstream.close();
  });

  it('When a client sends hop-by-hop headers and those its Connection header names, then none reaches the upstream', async () => {
    const res = await httpCall(`${direct.url}/x`, {
      headers: {
        connection: 'keep-alive, x-secret-hop',
        'x-secret-hop': 'drop me',
        'keep-alive': 'timeout=99',
        'proxy-authorization': 'Basic Zm9vOmJhcg==',
        te: 'trailers',
      },
    });
    const { headers } = res.json<Echo>();
    for (const name of ['x-secret-hop', 'keep-alive', 'proxy-authorization', 'te', 'trailer']) {
      assert.equal(headers[name], undefined, name);
    }
  });

  it("When an untrusted client sets X-Forwarded-* and X-Shoal-*, then the upstream sees the gateway's values only", async () => {
    const res = await httpCall(`${direct.url}/x`, {
      headers: {
        host: 'api.example.com',
        'x-forwarded-for': '6.6.6.6',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'evil.example.com',
        'x-real-ip': '6.6.6.6',
        forwarded: 'for=6.6.6.6',
        'x-shoal-subject': 'admin',
        'x-shoal-internal': 'yes',
      },
    });
    const { headers } = res.json<Echo>();
    assert.equal(headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(headers['x-forwarded-proto'], 'http');
    assert.equal(headers['x-forwarded-host'], 'api.example.com');
    assert.equal(headers['x-real-ip'], undefined);
    assert.equal(headers['forwarded'], undefined);
    assert.equal(headers['x-shoal-subject'], undefined);
    assert.equal(headers['x-shoal-internal'], undefined);
    assert.equal(headers.host, 'api.example.com');
  });

  it('When a route names X-Shoal-* headers in shoal.dev/pass-headers, then exactly those reach the upstream', async () => {
    const webhooks = await startGateway({
      routes: routesYaml({
        upstream: upstream.url,
        annotations: { 'shoal.dev/pass-headers': 'X-Shoal-Signature' },
      }),
    });
    try {
      const res = await httpCall(`${webhooks.url}/hooks`, {
        headers: { 'x-shoal-signature': 't=1,v1=ab', 'x-shoal-subject': 'admin' },
      });
      const { headers } = res.json<Echo>();
      assert.equal(headers['x-shoal-signature'], 't=1,v1=ab');
      assert.equal(headers['x-shoal-subject'], undefined);
    } finally {
      await webhooks.stop();
    }
  });

  it('When a trusted proxy forwards, then its X-Forwarded-For chain is kept and the peer appended', async () => {
    const res = await httpCall(`${behindProxy.url}/x`, {
      headers: {
        'x-forwarded-for': '203.0.113.7',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'shop.example.com',
      },
    });
    const { headers } = res.json<Echo>();
    assert.equal(headers['x-forwarded-for'], '203.0.113.7, 127.0.0.1');
    assert.equal(headers['x-forwarded-proto'], 'https');
    assert.equal(headers['x-forwarded-host'], 'shop.example.com');
  });

  it('When a request carries a well-formed X-Request-Id, then it is kept, passed on and returned', async () => {
    const res = await httpCall(`${direct.url}/x`, { headers: { 'x-request-id': 'abc-123.DEF_4' } });
    assert.equal(res.headers['x-request-id'], 'abc-123.DEF_4');
    assert.equal(res.json<Echo>().headers['x-request-id'], 'abc-123.DEF_4');
  });

  it('When a request carries a malformed X-Request-Id, then a fresh id replaces it everywhere', async () => {
    const res = await httpCall(`${direct.url}/x`, {
      headers: { 'x-request-id': 'bad id <script>' },
    });
    const id = String(res.headers['x-request-id']);
    assert.match(id, /^[0-9a-f-]{36}$/);
    assert.equal(res.json<Echo>().headers['x-request-id'], id);
  });

  it('When a request carries a traceparent, then the upstream gets one of the same trace; a malformed one is dropped', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const good = await httpCall(`${direct.url}/x`, {
      headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    assert.match(
      String(good.json<Echo>().headers.traceparent),
      new RegExp(`^00-${traceId}-[0-9a-f]{16}-0[01]$`),
    );
    const bad = await httpCall(`${direct.url}/x`, {
      headers: { traceparent: 'garbage', tracestate: 'a=b' },
    });
    assert.equal(bad.json<Echo>().headers.traceparent, undefined);
    assert.equal(bad.json<Echo>().headers.tracestate, undefined);
  });

  it('When the upstream answers with internal X-Shoal-* and Keep-Alive headers, then the client sees neither', async () => {
    const res = await httpCall(`${direct.url}/x`);
    assert.equal(res.headers['x-shoal-internal'], undefined);
    assert.equal(res.headers['keep-alive'], undefined);
  });
});

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { startGateway, routesYaml } from './support/gateway-under-test.ts';
import type { GatewayUnderTest } from './support/gateway-under-test.ts';
import { httpCall } from './support/http-call.ts';
import { startUpstream } from './support/upstream-server.ts';
import type { Upstream } from './support/upstream-server.ts';

const MiB = 1024 * 1024;

describe('bodies, limits and slow clients', () => {
  let upstream: Upstream;
  let gateway: GatewayUnderTest;
  /** Short client timeouts, kept apart so a slow machine cannot cut the large upload short. */
  let impatient: GatewayUnderTest;

  before(async () => {
    upstream = await startUpstream();
    const routes = routesYaml({
      upstream: upstream.url,
      annotations: { 'shoal.dev/body-limit': '64m' },
    });
    gateway = await startGateway({ routes });
    impatient = await startGateway({
      routes,
      env: { CLIENT_HEADERS_TIMEOUT_MS: '300', CLIENT_REQUEST_TIMEOUT_MS: '600' },
    });
  });
  after(async () => {
    await gateway.stop();
    await impatient.stop();
    await upstream.close();
  });

  it('When a large upload is sent, then its first bytes reach the upstream before the client has finished sending', async () => {
    const address = new URL(gateway.url);
    const chunk = Buffer.alloc(MiB, 7);
    const req = request({
      hostname: address.hostname,
      port: address.port,
      path: '/upload',
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(40 * MiB) },
    });
    const response = once(req, 'response');
    req.write(chunk);
    // Nothing more is sent until the upstream has seen bytes: a buffering proxy would wait
    // for the whole body and this test would hang (and fail on mocha's timeout).
    await upstream.firstBodyBytes('/upload');
    for (let i = 1; i < 40; i++) {
      if (!req.write(chunk)) await once(req, 'drain');
    }
    req.end();
    const [res] = (await response) as [IncomingMessage];
    let text = '';
    for await (const part of res) text += String(part);
    assert.equal(res.statusCode, 200);
    assert.equal((JSON.parse(text) as { bodyBytes: number }).bodyBytes, 40 * MiB);
  });

  it('When a declared body is over the route limit, then the answer is 413 and the upstream never sees it', async () => {
    const small = await startGateway({
      routes: routesYaml({
        upstream: upstream.url,
        annotations: { 'shoal.dev/body-limit': '1kb' },
      }),
    });
    try {
      const before = upstream.received.length;
      const res = await httpCall(`${small.url}/upload`, {
        method: 'POST',
        body: Buffer.alloc(4096),
      });
      assert.equal(res.status, 413);
      assert.equal(res.json()['type'], 'https://shoal.dev/problems/body-too-large');
      assert.equal(upstream.received.length, before);
      const ok = await httpCall(`${small.url}/upload`, {
        method: 'POST',
        body: Buffer.alloc(1024),
      });
      assert.equal(ok.status, 200);
    } finally {
      await small.stop();
    }
  });

  it('When a chunked body grows past the route limit, then the upload is cut off with 413', async () => {
    const small = await startGateway({
      routes: routesYaml({
        upstream: upstream.url,
        annotations: { 'shoal.dev/body-limit': '64kb' },
      }),
    });
    try {
      const address = new URL(small.url);
      const req = request({
        hostname: address.hostname,
        port: address.port,
        path: '/upload',
        method: 'POST',
      });
      req.on('error', () => {}); // the gateway may close while we still write
      const response = once(req, 'response');
      for (let i = 0; i < 32; i++) req.write(Buffer.alloc(8192));
      req.end();
      const [res] = (await response) as [IncomingMessage];
      res.resume();
      assert.equal(res.statusCode, 413);
    } finally {
      await small.stop();
    }
  });

  it('When a client sends its headers too slowly, then the gateway answers 408 and closes the connection', async () => {
    const address = new URL(impatient.url);
    const socket = connect(Number(address.port), address.hostname);
    await once(socket, 'connect');
    socket.write('GET /slowloris HTTP/1.1\r\nHost: a\r\nX-Partial: ');
    let received = '';
    socket.on('data', (data: Buffer) => (received += data.toString()));
    await once(socket, 'close');
    assert.match(received, /^HTTP\/1\.1 408 /);
  });

  it('When a client stops sending its body, then the gateway cuts it off and the upstream request is abandoned', async () => {
    const address = new URL(impatient.url);
    const socket = connect(Number(address.port), address.hostname);
    await once(socket, 'connect');
    socket.write('POST /trickle HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n0123456789');
    let received = '';
    socket.on('data', (data: Buffer) => (received += data.toString()));
    await once(socket, 'close');
    assert.match(received, /^HTTP\/1\.1 408 /);
    assert.ok(
      !upstream.received.some((echo) => echo.url === '/trickle'),
      'upstream must not see a completed request',
    );
  });
});

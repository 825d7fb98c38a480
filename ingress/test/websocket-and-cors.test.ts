import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { startGateway, routesYaml } from './support/gateway-under-test.ts';
import type { GatewayUnderTest } from './support/gateway-under-test.ts';
import { httpCall } from './support/http-call.ts';
import {
  AUDIENCE,
  ISSUER,
  generateSigningKey,
  signToken,
  startJwksServer,
} from './support/signing-keys.ts';
import type { JwksServer, SigningKey } from './support/signing-keys.ts';
import { startUpstream } from './support/upstream-server.ts';
import type { Upstream } from './support/upstream-server.ts';

describe('WebSocket upgrades through the gateway', () => {
  let server: Server;
  let sockets: WebSocketServer;
  let jwks: JwksServer;
  let key: SigningKey;
  let gateway: GatewayUnderTest;
  let lastUpgrade: IncomingMessage | undefined;

  before(async () => {
    key = generateSigningKey('ws-key');
    jwks = await startJwksServer([key]);
    server = createServer((_req, res) => res.writeHead(426).end());
    sockets = new WebSocketServer({ server });
    sockets.on('connection', (socket, req) => {
      lastUpgrade = req;
      socket.on('message', (data: Buffer) => socket.send(`echo:${data.toString()}`));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    gateway = await startGateway({
      routes: routesYaml({
        upstream: `http://127.0.0.1:${port}`,
        annotations: { 'shoal.dev/auth': 'required' },
      }),
      env: { JWKS_URL: jwks.url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE },
    });
  });
  after(async () => {
    await gateway.stop();
    for (const client of sockets.clients) client.terminate();
    sockets.close();
    server.closeAllConnections();
    server.close();
    await jwks.close();
  });

  const wsUrl = () => gateway.url.replace('http://', 'ws://') + '/live';

  it('When a client with a valid token opens a WebSocket, then messages pass both ways and the upstream sees the forwarded headers', async () => {
    const socket = new WebSocket(wsUrl(), {
      headers: { authorization: `Bearer ${signToken(key)}`, 'x-shoal-role': 'admin' },
    });
    await once(socket, 'open');
    socket.send('ping');
    const [reply] = (await once(socket, 'message')) as [Buffer];
    assert.equal(reply.toString(), 'echo:ping');
    assert.equal(lastUpgrade?.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(lastUpgrade?.headers['x-shoal-role'], undefined);
    assert.match(String(lastUpgrade?.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    socket.close();
    await once(socket, 'close');
  });

  it('When a client without a token asks for an upgrade, then it gets 401 and no WebSocket', async () => {
    const socket = new WebSocket(wsUrl());
    socket.on('error', () => {});
    const [, response] = (await once(socket, 'unexpected-response')) as [unknown, IncomingMessage];
    assert.equal(response.statusCode, 401);
    response.resume();
  });
});

describe('CORS at the edge', () => {
  let upstream: Upstream;
  let gateway: GatewayUnderTest;
  const origin = 'https://app.example.com';

  before(async () => {
    upstream = await startUpstream();
    gateway = await startGateway({
      routes: routesYaml({
        upstream: upstream.url,
        annotations: { 'shoal.dev/cors-origins': origin, 'shoal.dev/auth': 'required' },
      }),
      env: { JWKS_URL: 'http://127.0.0.1:9/jwks.json' },
    });
  });
  after(async () => {
    await gateway.stop();
    await upstream.close();
  });

  it('When a listed origin sends a preflight, then the edge answers 204 itself, without asking for a token', async () => {
    const before = upstream.received.length;
    const res = await httpCall(`${gateway.url}/api`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers['access-control-allow-origin'], origin);
    assert.equal(res.headers['access-control-allow-headers'], 'authorization, content-type');
    assert.match(String(res.headers['access-control-allow-methods']), /POST/);
    assert.equal(upstream.received.length, before);
  });

  it('When an unlisted origin sends a preflight, then it is refused with 403 and no CORS allowance', async () => {
    const res = await httpCall(`${gateway.url}/api`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'GET' },
    });
    assert.equal(res.status, 403);
    assert.equal(res.headers['access-control-allow-origin'], undefined);
  });

  it("When a listed origin's request is refused (401), then the refusal still carries the CORS headers the browser needs to read it", async () => {
    const res = await httpCall(`${gateway.url}/api`, { headers: { origin } });
    assert.equal(res.status, 401);
    assert.equal(res.headers['access-control-allow-origin'], origin);
    assert.match(String(res.headers['vary']), /Origin/);
  });
});

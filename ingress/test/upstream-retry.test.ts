import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { startGateway, routesYaml } from './support/gateway-under-test.ts';
import type { GatewayUnderTest } from './support/gateway-under-test.ts';
import { httpCall } from './support/http-call.ts';

/**
 * An upstream that answers the first request on each connection (keep-alive) and resets the
 * connection on the second: what a replica closing its idle connections (keep-alive timeout,
 * draining for a rolling update) looks like to a proxy that just reused one of them.
 */
async function startResettingUpstream() {
  const seen: { connection: number; method: string }[] = [];
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    const connection = ++connections;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let answered = 0;
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      if (!buffered.includes('\r\n\r\n')) return;
      const method = buffered.slice(0, buffered.indexOf(' '));
      buffered = '';
      seen.push({ connection, method });
      if (answered++ === 0) {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok');
      } else {
        socket.resetAndDestroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('a reused upstream connection that the upstream resets', () => {
  let upstream: Awaited<ReturnType<typeof startResettingUpstream>>;
  let gateway: GatewayUnderTest;

  beforeEach(async () => {
    upstream = await startResettingUpstream();
    gateway = await startGateway({ routes: routesYaml({ upstream: upstream.url }) });
  });
  afterEach(async () => {
    await gateway.stop();
    await upstream.close();
  });

  it('When a GET meets the reset, then the gateway sends it once more on a new connection and the client gets the answer', async () => {
    assert.equal((await httpCall(`${gateway.url}/first`)).status, 200);
    const second = await httpCall(`${gateway.url}/second`);
    assert.equal(second.status, 200, second.text);
    assert.equal(second.text, 'ok');
    assert.deepEqual(upstream.seen, [
      { connection: 1, method: 'GET' },
      { connection: 1, method: 'GET' },
      { connection: 2, method: 'GET' },
    ]);
  });

  it('When a POST meets the reset, then it is not sent again (it may have had an effect) and the client gets a 502', async () => {
    assert.equal((await httpCall(`${gateway.url}/first`)).status, 200);
    const post = await httpCall(`${gateway.url}/orders`, { method: 'POST', body: '{"n":1}' });
    assert.equal(post.status, 502);
    assert.equal(post.json()['type'], 'https://shoal.dev/problems/upstream-unavailable');
    assert.deepEqual(upstream.seen, [
      { connection: 1, method: 'GET' },
      { connection: 1, method: 'POST' },
    ]);
  });
});

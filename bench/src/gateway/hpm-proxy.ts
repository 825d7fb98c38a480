// The floor under the gateway's own design: http-proxy-middleware v4 called straight from a
// node:http server (no Express, no routing table, auth, rate limit, logs or metrics), same
// keep-alive agent settings. Child process; argv[2] = upstream port; prints {"port": N}.
import { Agent, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProxyMiddleware } from 'http-proxy-middleware';

const upstreamPort = Number(process.argv[2]);
const proxy = createProxyMiddleware({
  target: `http://127.0.0.1:${upstreamPort}`,
  agent: new Agent({ keepAlive: true, maxSockets: 1024, scheduling: 'lifo' }),
  on: { proxyReq: (proxyReq) => proxyReq.setNoDelay(true) },
});
const server = createServer((req, res) => {
  void proxy(req, res, () => {
    res.statusCode = 502;
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

// The floor under the gateway: Express + http-proxy-middleware v4 with nothing else (no
// routing table, auth, rate limit, logs or metrics), same keep-alive agent settings.
// Child process; argv[2] = upstream port; prints {"port": N} once listening.
import { Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';

const upstreamPort = Number(process.argv[2]);
const app = express();
app.use(
  createProxyMiddleware({
    target: `http://127.0.0.1:${upstreamPort}`,
    agent: new Agent({ keepAlive: true, maxSockets: 1024, scheduling: 'lifo' }),
    on: { proxyReq: (proxyReq) => proxyReq.setNoDelay(true) },
  }),
);
const server = app.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (server.address() as AddressInfo).port }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));

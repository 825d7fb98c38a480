// The reference: the same GET /hello on bare Express, nothing else. Prints {"port": N}.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { answerCpuQueries } from './cpu-reporter.ts';

const app = express();
app.get('/hello', (_req, res) => {
  res.json({ hello: 'world' });
});
const server = app.listen(0, '127.0.0.1');
await once(server, 'listening');
answerCpuQueries();
process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
process.on('SIGTERM', () => server.close(() => process.exit(0)));

// Serves an Express app on 127.0.0.1 with the kit's problem+json error middleware, so the
// auth and rate-limit middlewares are exercised over real HTTP exactly as services mount them.
import express from 'express';
import type { Express } from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { PassThrough } from 'node:stream';
import { problemMiddleware } from '../../src/errors/error-middleware.ts';
import { createLogger } from '../../src/logger/logger.ts';

const silentLogger = createLogger({ service: 'test', stream: new PassThrough() });

export interface RunningApp {
  url: string;
  close: () => Promise<void>;
}

/** Lets `mount` add routes, appends the problem middleware and listens on a free port. */
export async function serveApp(mount: (app: Express) => void): Promise<RunningApp> {
  const app = express();
  mount(app);
  app.use(problemMiddleware(silentLogger));
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

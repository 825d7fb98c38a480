// Serves an Express app on 127.0.0.1 with a minimal problem+json renderer, so the auth
// middlewares are exercised over real HTTP exactly as services mount them.
import express from 'express';
import type { ErrorRequestHandler, Express } from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { HttpProblem } from '../../src/errors/problem.ts';

const renderProblem: ErrorRequestHandler = (error, req, res, _next) => {
  const problem =
    error instanceof HttpProblem ? error : new HttpProblem(500, 'Internal Server Error');
  res.status(problem.status).set(problem.headers).type('application/problem+json');
  res.send(JSON.stringify(problem.toJSON(req.path)));
};

export interface RunningApp {
  url: string;
  close: () => Promise<void>;
}

/** Lets `mount` add routes, appends the problem renderer and listens on a free port. */
export async function serveApp(mount: (app: Express) => void): Promise<RunningApp> {
  const app = express();
  mount(app);
  app.use(renderProblem);
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

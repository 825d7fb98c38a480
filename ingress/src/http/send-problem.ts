import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpProblem } from '@shoal/kit';

/**
 * Writes a problem+json response outside Express' error chain (proxy callbacks), in the same
 * form as the kit's problem middleware; when the response has already begun, the only honest
 * thing left is to cut the connection.
 */
export function sendProblem(req: IncomingMessage, res: ServerResponse, problem: HttpProblem): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(problem.toJSON((req.url ?? '/').split('?')[0]));
  res.statusCode = problem.status;
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

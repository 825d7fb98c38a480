// A real node:http server whose behaviour each test scripts, recording what it received.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Script = (req: IncomingMessage, res: ServerResponse, hit: number) => void;

export interface ScriptedServer {
  url: string;
  received: ReceivedRequest[];
  /** Replaces the behaviour; `hit` counts from 1 for each request since the last script. */
  script: (next: Script) => void;
  close: () => Promise<void>;
}

/** Starts a server on 127.0.0.1 running `initial` for every request. */
export async function startScriptedServer(initial: Script): Promise<ScriptedServer> {
  let current = initial;
  let hits = 0;
  const received: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      current(req, res, ++hits);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    script: (next) => {
      current = next;
      hits = 0;
      received.length = 0;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers with a JSON body. */
export function json(res: ServerResponse, status: number, body: unknown, headers = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Answers with an RFC 9457 problem. */
export function problem(res: ServerResponse, status: number, title: string, headers = {}): void {
  res.writeHead(status, { 'content-type': 'application/problem+json', ...headers });
  res.end(JSON.stringify({ type: 'about:blank', title, status }));
}

// A real HTTP upstream for the gateway's tests. It answers with what it received, so tests
// can see exactly what the gateway forwarded:
//   .../slow?ms=N     waits N ms before answering (timeouts, requests in flight)
//   /upload           streams the body in, answers with its byte count and how many chunks
//                     had arrived before the request had ended upstream (streaming proof)
//   /stall-body       sends headers and a first chunk, then stalls
//   anything else     { method, url, headers, bodyBytes, server: <name> }
import { EventEmitter, once } from 'node:events';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the upstream saw of one request. */
export interface Echo {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  bodyBytes: number;
}

/** A running upstream. */
export interface Upstream {
  url: string;
  port: number;
  server: Server;
  /** Requests received, in order. */
  received: Echo[];
  /** Resolves when a request to `path` has delivered its first body bytes (before it ended). */
  firstBodyBytes(path: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts an echo upstream on 127.0.0.1 (port 0 = any). */
export async function startUpstream(name = 'upstream', port = 0): Promise<Upstream> {
  const received: Echo[] = [];
  const bodyStarted = new EventEmitter();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://upstream');
    if (url.pathname === '/stall-body') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first chunk\n');
      return; // never ends
    }
    let bodyBytes = 0;
    let chunks = 0;
    req.on('data', (chunk: Buffer) => {
      if (bodyBytes === 0) bodyStarted.emit(url.pathname);
      bodyBytes += chunk.length;
      chunks++;
    });
    req.on('end', () => {
      const echo: Echo = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        bodyBytes,
      };
      received.push(echo);
      const answer = (): void => {
        const body = JSON.stringify({ ...echo, chunks, server: name });
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-shoal-internal': 'must not leak',
          'keep-alive': 'timeout=5',
        });
        res.end(body);
      };
      const delay = Number(url.searchParams.get('ms') ?? 0);
      if (url.pathname.endsWith('/slow') && delay > 0) setTimeout(answer, delay);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${bound}`,
    port: bound,
    server,
    received,
    firstBodyBytes: (path) => once(bodyStarted, path).then(() => undefined),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then released). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// A plain node:http client for tests: unlike fetch it may send any header (Host,
// Connection, X-Forwarded-For...), and it uses a fresh connection per call.
import { request } from 'node:http';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';

/** A finished exchange. */
export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

/** Sends one request and reads the whole answer. */
export function httpCall(
  url: string,
  options: { method?: string; headers?: OutgoingHttpHeaders; body?: string | Buffer } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    // The path is sent as written (no URL normalisation), so tests can send `/a/../b`.
    const origin = /^http:\/\/[^/]+/.exec(url)?.[0] ?? '';
    const { hostname, port } = new URL(origin);
    const target = { hostname, port, path: url.slice(origin.length) || '/' };
    const req = request(
      { ...target, method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: <T>() => JSON.parse(text) as T,
          });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

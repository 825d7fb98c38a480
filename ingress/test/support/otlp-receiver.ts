// A real OTLP/HTTP (JSON) endpoint on 127.0.0.1 that keeps the spans a gateway exports.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One received span (OTLP kinds: 2 server, 3 client). */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  scope: string;
}

interface OtlpExport {
  resourceSpans: {
    scopeSpans: { scope: { name: string }; spans: Omit<ReceivedSpan, 'scope'>[] }[];
  }[];
}

/** The receiver: `url` for OTEL_EXPORTER_OTLP_ENDPOINT, and what arrived. */
export interface OtlpReceiver {
  url: string;
  spans: ReceivedSpan[];
  close(): Promise<void>;
}

/** Starts the receiver on a free port. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.headers['content-type'] === 'application/json') {
        for (const resource of (JSON.parse(body) as OtlpExport).resourceSpans) {
          for (const scoped of resource.scopeSpans) {
            for (const span of scoped.spans) spans.push({ ...span, scope: scoped.scope.name });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

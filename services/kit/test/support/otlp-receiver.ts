import { once } from 'node:events';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A span as decoded from OTLP/HTTP JSON. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  /** 1 internal, 2 server, 3 client (OTLP SpanKind). */
  kind: number;
  scope: string;
  serviceName: string | undefined;
  attributes: Record<string, unknown>;
}

/** An OTLP/HTTP receiver (JSON encoding) on 127.0.0.1 that keeps every span it is sent. */
export interface OtlpReceiver {
  /** Base URL, for OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  spans: ReceivedSpan[];
  /** Every request received, as `METHOD path content-type`. */
  requests: string[];
  /** Resolves once spans satisfying `predicate` have arrived. */
  waitFor(predicate: (spans: ReceivedSpan[]) => boolean): Promise<void>;
  close(): Promise<void>;
}

interface OtlpAnyValue {
  stringValue?: string;
  intValue?: string | number;
  boolValue?: boolean;
  doubleValue?: number;
}
interface OtlpKeyValue {
  key: string;
  value: OtlpAnyValue;
}
interface OtlpExport {
  resourceSpans: {
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans: {
      scope: { name: string };
      spans: (Omit<ReceivedSpan, 'scope' | 'serviceName' | 'attributes'> & {
        attributes?: OtlpKeyValue[];
      })[];
    }[];
  }[];
}

/** Flattens OTLP key/values into a plain object. */
function attributesOf(list: OtlpKeyValue[] | undefined): Record<string, unknown> {
  return Object.fromEntries(
    (list ?? []).map(({ key, value }) => [
      key,
      value.stringValue ?? value.intValue ?? value.boolValue ?? value.doubleValue,
    ]),
  );
}

/** Starts the receiver on a free port (or `port`, to sit where a default exporter would send). */
export async function startOtlpReceiver(port = 0): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const requests: string[] = [];
  const waiters: { predicate: (spans: ReceivedSpan[]) => boolean; resolve: () => void }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url} ${req.headers['content-type']}`);
      if (
        req.method === 'POST' &&
        req.url === '/v1/traces' &&
        req.headers['content-type'] === 'application/json'
      ) {
        const decoded = JSON.parse(body) as OtlpExport;
        for (const resourceSpans of decoded.resourceSpans) {
          const serviceName = attributesOf(resourceSpans.resource?.attributes)['service.name'] as
            string | undefined;
          for (const scopeSpans of resourceSpans.scopeSpans) {
            for (const span of scopeSpans.spans) {
              spans.push({
                ...span,
                scope: scopeSpans.scope.name,
                serviceName,
                attributes: attributesOf(span.attributes),
              });
            }
          }
        }
        for (const waiter of [...waiters]) {
          if (waiter.predicate(spans)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve();
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const { port: boundPort } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${boundPort}`,
    spans,
    requests,
    waitFor(predicate) {
      if (predicate(spans)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ predicate, resolve }));
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

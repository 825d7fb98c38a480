import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadDepsEnv } from '@shoal/testbed';
import { killIfRunning, listeningUrl, spawnNode } from '../support/child-process.ts';
import type { ServiceProcess } from '../support/child-process.ts';
import { startOtlpReceiver } from '../support/otlp-receiver.ts';
import type { OtlpReceiver, ReceivedSpan } from '../support/otlp-receiver.ts';

const FIXTURE = 'test/fixtures/traced-service.ts';
const PRELOAD = ['--import', '@shoal/kit/telemetry/register'];
const INBOUND_TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const INBOUND_PARENT_ID = '00f067aa0ba902b7';
const TRACEPARENT = `00-${INBOUND_TRACE_ID}-${INBOUND_PARENT_ID}-01`;

/** Whether `span` descends from `ancestor` through the received parent links. */
function descendsFrom(spans: ReceivedSpan[], span: ReceivedSpan, ancestor: ReceivedSpan): boolean {
  let current: ReceivedSpan | undefined = span;
  while (current?.parentSpanId) {
    if (current.parentSpanId === ancestor.spanId) return true;
    current = spans.find((candidate) => candidate.spanId === current!.parentSpanId);
  }
  return false;
}

describe('telemetry: traces through the ESM preload, in a child process', () => {
  let downstream: Server;
  let downstreamUrl: string;
  /** The traceparent header of each call the downstream server received. */
  const downstreamTraceparents: (string | string[] | undefined)[] = [];
  let service: ServiceProcess | undefined;
  let receiver: OtlpReceiver | undefined;
  const { PG_URL } = loadDepsEnv();

  before(async () => {
    downstream = createServer((req, res) => {
      downstreamTraceparents.push(req.headers.traceparent);
      res.writeHead(204).end();
    });
    downstream.listen(0, '127.0.0.1');
    await once(downstream, 'listening');
    downstreamUrl = `http://127.0.0.1:${(downstream.address() as AddressInfo).port}/ping`;
  });
  after(() => new Promise<void>((resolve) => downstream.close(() => resolve())));
  afterEach(async () => {
    killIfRunning(service);
    await receiver?.close();
    receiver = undefined;
  });

  it('When a request with a traceparent queries PostgreSQL and calls out, then the server, pg and client spans share its trace and the log line carries it', async () => {
    receiver = await startOtlpReceiver();
    service = spawnNode(
      FIXTURE,
      {
        SERVICE_NAME: 'traced',
        PG_URL,
        DOWNSTREAM_URL: downstreamUrl,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        SHUTDOWN_DELAY_MS: '0',
      },
      PRELOAD,
    );
    const url = await listeningUrl(service);
    const response = await fetch(`${url}/work/7`, { headers: { traceparent: TRACEPARENT } });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { id: '7', answer: 42, downstream: 204 });

    // SIGTERM makes the lifecycle flush the batch exporter before exiting.
    service.child.kill('SIGTERM');
    assert.equal(await service.exited, 0);
    const spans = receiver.spans.filter((span) => span.traceId === INBOUND_TRACE_ID);

    const serverSpan = spans.find(
      (span) => span.kind === 2 && span.scope === '@opentelemetry/instrumentation-http',
    );
    assert.ok(
      serverSpan,
      `an http server span in ${JSON.stringify(spans.map((span) => span.name))}`,
    );
    assert.equal(serverSpan.parentSpanId, INBOUND_PARENT_ID, 'it continues the inbound trace');
    assert.equal(serverSpan.serviceName, 'traced');
    assert.equal(serverSpan.attributes['http.route'], '/work/:id');

    const pgSpan = spans.find((span) => span.scope === '@opentelemetry/instrumentation-pg');
    assert.ok(pgSpan, 'a pg span');
    assert.ok(descendsFrom(spans, pgSpan, serverSpan), 'the pg span descends from the server span');

    const clientSpan = spans.find(
      (span) => span.kind === 3 && span.scope === '@opentelemetry/instrumentation-undici',
    );
    assert.ok(clientSpan, 'an outgoing http client span');
    assert.ok(descendsFrom(spans, clientSpan, serverSpan));

    assert.equal(
      serverSpan.name,
      'GET /work/:id',
      'createService names the server span after the route',
    );

    const accessLine = service.logs.find(
      (line) => line['msg'] === 'request' && line['route'] === '/work/:id',
    );
    assert.equal(accessLine?.['trace_id'], INBOUND_TRACE_ID);
    assert.equal(accessLine?.['span_id'], serverSpan.spanId);
  });

  it('When probes are scraped, then they produce no spans', async () => {
    receiver = await startOtlpReceiver();
    service = spawnNode(
      FIXTURE,
      {
        SERVICE_NAME: 'traced',
        PG_URL,
        DOWNSTREAM_URL: downstreamUrl,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        SHUTDOWN_DELAY_MS: '0',
      },
      PRELOAD,
    );
    const url = await listeningUrl(service);
    for (const path of ['/livez', '/readyz', '/metrics']) {
      assert.equal(
        (await fetch(`${url}${path}`, { headers: { traceparent: TRACEPARENT } })).status,
        200,
      );
    }
    service.child.kill('SIGTERM');
    assert.equal(await service.exited, 0);
    assert.deepEqual(
      receiver.spans.filter((span) => span.traceId === INBOUND_TRACE_ID && span.kind === 2),
      [],
    );
  });

  it('When no endpoint is configured, then nothing is exported (not even to the default localhost:4318) and an inbound trace context still reaches the logs and downstream calls', async function () {
    try {
      receiver = await startOtlpReceiver(4318);
    } catch {
      this.skip(); // something else owns the default OTLP port on this machine
    }
    service = spawnNode(
      FIXTURE,
      {
        SERVICE_NAME: 'traced',
        PG_URL,
        DOWNSTREAM_URL: downstreamUrl,
        OTEL_EXPORTER_OTLP_ENDPOINT: '',
        SHUTDOWN_DELAY_MS: '0',
      },
      PRELOAD,
    );
    const url = await listeningUrl(service);
    downstreamTraceparents.length = 0;
    assert.equal(
      (
        await fetch(`${url}/work/1`, {
          headers: { traceparent: TRACEPARENT, 'x-request-id': 'with-parent' },
        })
      ).status,
      200,
    );
    assert.equal(
      (await fetch(`${url}/work/2`, { headers: { 'x-request-id': 'no-parent' } })).status,
      200,
    );
    service.child.kill('SIGTERM');
    assert.equal(await service.exited, 0);
    assert.deepEqual(receiver.requests, []);
    const accessLine = (requestId: string) =>
      service!.logs.find((line) => line['msg'] === 'request' && line['request_id'] === requestId);
    assert.equal(accessLine('with-parent')?.['trace_id'], INBOUND_TRACE_ID);
    // The inbound context passes through to downstream calls, sampled flag included.
    assert.deepEqual(downstreamTraceparents, [TRACEPARENT, undefined]);
    // No trace to join: no (all-zero) ids in the log.
    assert.equal(accessLine('no-parent')?.['trace_id'], undefined);
    assert.equal(accessLine('no-parent')?.['status'], 200);
  });

  it('When the collector is unreachable, then start-up and requests are not blocked and shutdown still exits 0', async () => {
    const closed = await startOtlpReceiver();
    await closed.close(); // a port that was just free: nothing listens there now
    service = spawnNode(
      FIXTURE,
      {
        SERVICE_NAME: 'traced',
        PG_URL,
        DOWNSTREAM_URL: downstreamUrl,
        OTEL_EXPORTER_OTLP_ENDPOINT: closed.url,
        SHUTDOWN_DELAY_MS: '0',
      },
      PRELOAD,
    );
    const url = await listeningUrl(service);
    assert.equal((await fetch(`${url}/readyz`)).status, 200);
    assert.equal((await fetch(`${url}/work/2`)).status, 200);
    service.child.kill('SIGTERM');
    assert.equal(await service.exited, 0);
  });
});

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { routesYaml } from './support/gateway-under-test.ts';
import { eventually } from './support/eventually.ts';
import { httpCall } from './support/http-call.ts';
import { startOtlpReceiver } from './support/otlp-receiver.ts';
import type { OtlpReceiver } from './support/otlp-receiver.ts';
import { freePort, startUpstream } from './support/upstream-server.ts';
import type { Echo, Upstream } from './support/upstream-server.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

describe("tracing through the gateway (the real process, with the kit's telemetry preload)", function () {
  this.timeout(60_000);
  let upstream: Upstream;
  let receiver: OtlpReceiver;

  before(async () => {
    upstream = await startUpstream();
    receiver = await startOtlpReceiver();
  });
  after(async () => {
    await upstream.close();
    await receiver.close();
  });

  it("When a request is proxied, then the gateway exports a server span with the upstream call as its child, in the caller's trace", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gateway-trace-'));
    const routes = join(dir, 'routes.yaml');
    writeFileSync(routes, routesYaml({ upstream: upstream.url }));
    const [port, adminPort] = [await freePort(), await freePort()];
    const child = spawn(process.execPath, ['--import', '@shoal/kit/telemetry/register', MAIN], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: {
        ...process.env,
        SERVICE_NAME: 'gateway',
        HOST: '127.0.0.1',
        PORT: String(port),
        ADMIN_PORT: String(adminPort),
        ROUTES_FILE: routes,
        DEFAULT_AUTH: 'none',
        SHUTDOWN_DELAY_MS: '0',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      },
    });
    try {
      await eventually(
        async () =>
          assert.equal((await httpCall(`http://127.0.0.1:${adminPort}/readyz`)).status, 200),
        30_000,
      );
      const traceId = '0af7651916cd43dd8448eb211c80319c';
      const res = await httpCall(`http://127.0.0.1:${port}/traced`, {
        headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
      });
      assert.equal(res.status, 200);
      const forwarded = String(res.json<Echo>().headers.traceparent);
      // SIGTERM makes the kit's lifecycle flush the span exporter before exiting.
      child.kill('SIGTERM');
      await once(child, 'exit');
      const server = receiver.spans.find((span) => span.traceId === traceId && span.kind === 2);
      assert.ok(
        server,
        `a server span in trace ${traceId}; got ${JSON.stringify(receiver.spans.map((s) => [s.name, s.kind]))}`,
      );
      assert.equal(server.parentSpanId, 'b7ad6b7169203331');
      assert.match(server.name, /GET default\/echo/);
      const client = receiver.spans.find((span) => span.traceId === traceId && span.kind === 3);
      assert.ok(client, 'a client span for the upstream call');
      assert.equal(client.parentSpanId, server.spanId);
      // The upstream got the client span's context: it continues the same trace.
      assert.equal(forwarded, `00-${traceId}-${client.spanId}-01`);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});

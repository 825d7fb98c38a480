import assert from 'node:assert/strict';
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { AccessLog } from '../src/http/access-log.ts';
import type { AccessLogEntry } from '../src/http/access-log.ts';

/** The lines an access log writes for these entries, parsed. */
async function linesFor(
  entries: AccessLogEntry[],
  enabled = true,
): Promise<Record<string, unknown>[]> {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const log = new AccessLog({ service: 'gateway', stream, enabled });
  for (const entry of entries) log.write(entry);
  stream.end();
  await once(stream, 'end');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const served: AccessLogEntry = {
  method: 'GET',
  route: 'default/echo */api',
  status: 200,
  durationMs: 1.234,
  bytes: 17,
  requestId: 'req-1',
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  subject: 'user-1',
  upstream: 'echo.default.svc.cluster.local:80',
  upstreamError: undefined,
  aborted: false,
};

describe('access-log lines', () => {
  it('When a request is logged, then the line has the kit logger fields and the request fields', async () => {
    const [line] = await linesFor([served]);
    assert.ok(line);
    assert.equal(line['level'], 'info');
    assert.equal(line['service'], 'gateway');
    assert.equal(line['msg'], 'request');
    assert.ok(!Number.isNaN(Date.parse(String(line['time']))));
    assert.deepEqual(
      { ...line, time: undefined },
      {
        level: 'info',
        time: undefined,
        service: 'gateway',
        msg: 'request',
        request_id: 'req-1',
        trace_id: served.traceId,
        span_id: served.spanId,
        method: 'GET',
        route: 'default/echo */api',
        status: 200,
        duration_ms: 1.234,
        bytes: 17,
        subject: 'user-1',
        upstream: 'echo.default.svc.cluster.local:80',
      },
    );
  });

  it('When fields hold quotes, backslashes or newlines, then the line is still one valid JSON line with them intact', async () => {
    const subject = 'evil"\\\n}{"admin":true';
    const lines = await linesFor([{ ...served, subject, route: 'ns/x "odd" */' }]);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]?.['subject'], subject);
    assert.equal(lines[0]?.['admin'], undefined);
  });

  it('When a request failed upstream or the client left, then the line says so, and absent facts are left out', async () => {
    const [line] = await linesFor([
      {
        ...served,
        status: 502,
        traceId: undefined,
        spanId: undefined,
        subject: undefined,
        upstreamError: 'econnrefused',
        aborted: true,
      },
    ]);
    assert.equal(line?.['upstream_error'], 'econnrefused');
    assert.equal(line?.['aborted'], true);
    for (const absent of ['trace_id', 'span_id', 'subject']) assert.ok(!(absent in (line ?? {})));
  });

  it('When the log level is above info, then nothing is written', async () => {
    assert.deepEqual(await linesFor([served], false), []);
  });
});

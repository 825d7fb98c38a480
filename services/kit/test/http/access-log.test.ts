import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startTestService } from '../support/test-service.ts';
import type { RunningTestService } from '../support/test-service.ts';

describe('http: access log', () => {
  let running: RunningTestService;
  before(async () => {
    running = await startTestService((app) => {
      app.get('/api/items/:id', (req, res) => {
        res.json({ id: req.params.id });
      });
      app.get('/api/hang', () => {
        // never answers: the client gives up
      });
    });
  });
  after(() => running.service.stop());

  /** The access-log line of the request with this id. */
  function accessLine(requestId: string): Record<string, unknown> | undefined {
    return running.logs
      .lines()
      .find((line) => line['msg'] === 'request' && line['request_id'] === requestId);
  }

  it('When a request completes, then exactly one JSON line has method, route, status, duration, bytes and ids', async () => {
    const response = await fetch(`${running.url}/api/items/42`, {
      headers: { 'x-request-id': 'access-1' },
    });
    const body = await response.text();
    const lines = running.logs.lines().filter((line) => line['request_id'] === 'access-1');
    assert.equal(lines.length, 1);
    const line = lines[0]!;
    assert.equal(line['level'], 'info');
    assert.equal(line['service'], 'test');
    assert.equal(line['method'], 'GET');
    assert.equal(line['route'], '/api/items/:id');
    assert.equal(line['status'], 200);
    assert.equal(line['bytes'], Buffer.byteLength(body));
    assert.equal(typeof line['duration_ms'], 'number');
    assert.ok((line['duration_ms'] as number) >= 0);
    assert.match(String(line['time']), /^\d{4}-\d\d-\d\dT/);
  });

  it('When no route matches, then the line says route "unmatched" and status 404', async () => {
    await fetch(`${running.url}/nope/123`, { headers: { 'x-request-id': 'access-2' } });
    const line = accessLine('access-2');
    assert.equal(line?.['route'], 'unmatched');
    assert.equal(line?.['status'], 404);
  });

  it('When the client aborts before the response, then the line is still written, marked aborted', async () => {
    await new Promise<void>((resolve) => {
      const req = request(`${running.url}/api/hang`, { headers: { 'x-request-id': 'access-3' } });
      req.on('error', () => resolve());
      req.end();
      setTimeout(() => req.destroy(), 100);
    });
    const deadline = Date.now() + 5000;
    while (!accessLine('access-3') && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(accessLine('access-3')?.['aborted'], true);
  });
});

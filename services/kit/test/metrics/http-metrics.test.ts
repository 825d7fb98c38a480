import assert from 'node:assert/strict';
import express from 'express';
import { startTestService } from '../support/test-service.ts';
import type { RunningTestService } from '../support/test-service.ts';

/** The value of one sample line of the Prometheus text, e.g. `http_requests_total{...}`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text
    .split('\n')
    .find(
      (candidate) =>
        candidate.startsWith(`${name}{`) && wanted.every((label) => candidate.includes(label)),
    );
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('metrics: RED metrics by route template', () => {
  let running: RunningTestService;
  before(async () => {
    running = await startTestService((app) => {
      app.get('/api/users/:id', (req, res) => {
        res.json({ id: req.params.id });
      });
      const orders = express.Router();
      orders.get('/:orderId', (_req, res) => {
        res.status(204).end();
      });
      app.use('/api/orders', orders);
    });
    for (const id of ['1', '2', '3']) await fetch(`${running.url}/api/users/${id}`);
    for (const id of ['a', 'b']) await fetch(`${running.url}/api/orders/${id}`);
    for (const path of ['/random/1', '/random/2', '/random/3'])
      await fetch(`${running.url}${path}`);
  });
  after(() => running.service.stop());

  it('When several ids hit one route, then they count under its template, not their URLs', async () => {
    const text = await (await fetch(`${running.url}/metrics`)).text();
    assert.equal(
      sample(text, 'http_requests_total', {
        method: 'GET',
        route: '/api/users/:id',
        status: '200',
      }),
      3,
    );
    assert.ok(!text.includes('/api/users/1'));
    assert.equal(
      sample(text, 'http_request_duration_seconds_count', {
        route: '/api/users/:id',
        status: '200',
      }),
      3,
    );
  });

  it('When a route lives in a mounted router, then its template includes the mount path', async () => {
    const text = await (await fetch(`${running.url}/metrics`)).text();
    assert.equal(
      sample(text, 'http_requests_total', { route: '/api/orders/:orderId', status: '204' }),
      2,
    );
  });

  it('When paths match no route, then they all count as route="unmatched"', async () => {
    const text = await (await fetch(`${running.url}/metrics`)).text();
    assert.equal(sample(text, 'http_requests_total', { route: 'unmatched', status: '404' }), 3);
    assert.ok(!text.includes('/random/'));
  });

  it('When /metrics is scraped, then it has the service label, default process metrics and the Prometheus content type', async () => {
    const response = await fetch(`${running.url}/metrics`);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    assert.match(text, /^process_cpu_user_seconds_total\{service="test"\} /m);
    assert.match(text, /^nodejs_eventloop_lag_seconds\{service="test"\} /m);
  });
});

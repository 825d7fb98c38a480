import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { context } from '@opentelemetry/api';
import { requestContext } from '../../src/context/request-context.ts';
import { createLogger } from '../../src/logger/logger.ts';
import { createHttpClient } from '../../src/http-client/http-client.ts';
import {
  CircuitOpenError,
  UpstreamError,
  UpstreamUnreachableError,
} from '../../src/http-client/upstream-errors.ts';
import { json, problem, startScriptedServer } from './scripted-server.ts';
import type { ScriptedServer } from './scripted-server.ts';
import { installTracePropagation, parentContext, SPAN_ID, TRACE_ID } from './trace-context.ts';

/** Fails the first `failures` requests with 503, then answers 200. */
function flaky(server: ScriptedServer, failures: number): void {
  server.script((_req, res, hit) => {
    if (hit <= failures) problem(res, 503, 'Service Unavailable');
    else json(res, 200, { hit });
  });
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to fail');
}

describe('http-client: createHttpClient against real HTTP servers', () => {
  let server: ScriptedServer;

  before(async () => {
    server = await startScriptedServer((_req, res) => json(res, 200, {}));
  });
  after(() => server.close());

  function client(options: Partial<Parameters<typeof createHttpClient>[0]> = {}) {
    return createHttpClient({ baseUrl: `${server.url}/api/`, retryBaseDelayMs: 1, ...options });
  }

  it('When the upstream answers 200 JSON, then the body is parsed and the path and query are resolved under the base URL', async () => {
    server.script((req, res) => json(res, 200, { url: req.url }));
    const res = await client().get<{ url: string }>('/users/1', {
      query: { a: 1, b: undefined, c: 'x y' },
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.url, '/api/users/1?a=1&c=x+y');
  });

  it('When a GET meets 503 twice and then 200, then it is retried and succeeds on the third attempt', async () => {
    flaky(server, 2);
    const res = await client({ retries: 2 }).get<{ hit: number }>('/flaky');
    assert.equal(res.body.hit, 3);
    assert.equal(server.received.length, 3);
  });

  it('When a POST meets 503, then it is NOT retried and fails with the upstream status and problem', async () => {
    flaky(server, 2);
    const error = await rejection(client({ retries: 2 }).post('/flaky', { name: 'x' }));
    assert.ok(error instanceof UpstreamError);
    assert.equal(error.status, 503);
    assert.equal(error.problem?.['title'], 'Service Unavailable');
    assert.equal(server.received.length, 1);
    assert.equal(server.received[0]?.body, '{"name":"x"}');
    assert.equal(server.received[0]?.headers['content-type'], 'application/json');
  });

  it('When PUT and DELETE meet 502/504, then they are retried (idempotent methods)', async () => {
    server.script((_req, res, hit) =>
      hit % 2 === 1 ? problem(res, hit === 1 ? 502 : 504, 'Bad') : json(res, 200, {}),
    );
    assert.equal((await client().put('/x', { v: 1 })).status, 200);
    assert.equal((await client().delete('/x')).status, 200);
    assert.equal(server.received.length, 4);
  });

  it('When every attempt fails, then the retries are bounded and the last UpstreamError is thrown', async () => {
    flaky(server, 100);
    const error = await rejection(client({ retries: 3, breaker: false }).get('/down'));
    assert.ok(error instanceof UpstreamError);
    assert.equal(server.received.length, 4);
  });

  it('When the upstream answers 500 or 404, then nothing is retried and the problem body is kept', async () => {
    server.script((_req, res, hit) =>
      problem(res, hit === 1 ? 500 : 404, hit === 1 ? 'Boom' : 'Not Found'),
    );
    const boom = await rejection(client().get('/a'));
    assert.ok(boom instanceof UpstreamError && boom.status === 500);
    const missing = await rejection(client().get('/b'));
    assert.ok(missing instanceof UpstreamError);
    assert.equal(missing.status, 404);
    assert.match(missing.message, /GET http:\/\/127\.0\.0\.1:\d+\/api\/b answered 404: Not Found/);
    assert.equal(server.received.length, 2);
  });

  it('When the connection is dropped mid-request, then a GET is retried as a network error', async () => {
    server.script((req, res, hit) => (hit === 1 ? req.socket.destroy() : json(res, 200, { hit })));
    const res = await client().get<{ hit: number }>('/drop');
    assert.equal(res.body.hit, 2);
  });

  it('When the upstream is not listening, then UpstreamUnreachableError names the network error', async () => {
    const gone = await startScriptedServer(() => undefined);
    await gone.close();
    const error = await rejection(
      createHttpClient({ baseUrl: gone.url, retries: 1, retryBaseDelayMs: 1 }).get('/'),
    );
    assert.ok(error instanceof UpstreamUnreachableError);
    assert.equal(error.timedOut, false);
    assert.match(error.message, /ECONNREFUSED/);
  });

  it('When 503 comes with a Retry-After within the cap, then it is honoured and the call retried', async () => {
    server.script((_req, res, hit) =>
      hit === 1 ? problem(res, 503, 'Busy', { 'retry-after': '0' }) : json(res, 200, {}),
    );
    assert.equal((await client().get('/busy')).status, 200);
    assert.equal(server.received.length, 2);
  });

  it('When Retry-After asks for longer than the cap, then the client gives up instead of waiting', async () => {
    server.script((_req, res) => problem(res, 503, 'Busy', { 'retry-after': '120' }));
    const error = await rejection(client({ maxRetryDelayMs: 1000 }).get('/busy'));
    assert.ok(error instanceof UpstreamError && error.status === 503);
    assert.equal(server.received.length, 1);
  });

  it('When the upstream is slower than the timeout, then the attempt is aborted with timedOut=true', async () => {
    server.script((_req, res) => setTimeout(() => json(res, 200, {}), 2_000).unref());
    const error = await rejection(client({ timeoutMs: 50, retries: 0 }).get('/slow'));
    assert.ok(error instanceof UpstreamUnreachableError);
    assert.equal(error.timedOut, true);
    assert.match(error.message, /timed out/);
  });

  it('When a slow GET times out with a retry left, then the retry gets its own timeout and succeeds', async () => {
    server.script((_req, res, hit) =>
      hit === 1 ? setTimeout(() => json(res, 200, {}), 5_000).unref() : json(res, 200, { hit }),
    );
    const res = await client({ timeoutMs: 1_000, retries: 1 }).get<{ hit: number }>('/slow-once');
    assert.equal(res.body.hit, 2);
  });

  it('When consecutive failures reach the threshold, then the breaker opens and fails fast without calling the upstream', async () => {
    server.script((_req, res) => problem(res, 500, 'Boom'));
    let tokensFetched = 0;
    const c = client({
      retries: 0,
      breaker: { failureThreshold: 3, resetTimeoutMs: 150 },
      bearerToken: () => Promise.resolve(`token-${++tokensFetched}`),
    });
    for (let i = 0; i < 3; i++)
      assert.ok((await rejection(c.get('/boom'))) instanceof UpstreamError);
    assert.equal(c.breakerState, 'open');

    const fast = await rejection(c.get('/boom'));
    assert.ok(fast instanceof CircuitOpenError);
    assert.match(fast.message, /circuit to http:\/\/127\.0\.0\.1:\d+ is open/);
    assert.equal(server.received.length, 3, 'an open breaker must not reach the upstream');
    assert.equal(tokensFetched, 3, 'nor ask for a service token');

    // After the reset timeout one trial goes through; its success closes the circuit.
    server.script((_req, res) => json(res, 200, {}));
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal((await c.get('/boom')).status, 200);
    assert.equal(c.breakerState, 'closed');
  });

  it('When failures are interrupted by a success, then the streak restarts and the breaker stays closed', async () => {
    server.script((_req, res, hit) =>
      hit % 2 === 0 ? json(res, 200, {}) : problem(res, 500, 'Boom'),
    );
    const c = client({ retries: 0, breaker: { failureThreshold: 2 } });
    for (let i = 0; i < 6; i++) await c.get('/alt').catch(() => undefined);
    assert.equal(c.breakerState, 'closed');
  });

  it('When a caller cancels between failures, then the cancel neither counts nor ends the streak', async () => {
    server.script((req, res) =>
      req.url?.endsWith('/slow')
        ? setTimeout(() => json(res, 200, {}), 5_000).unref()
        : problem(res, 500, 'Boom'),
    );
    const c = client({ retries: 0, breaker: { failureThreshold: 2 } });
    await c.get('/boom').catch(() => undefined);
    await c.get('/slow', { signal: AbortSignal.timeout(50) }).catch(() => undefined);
    assert.equal(c.breakerState, 'closed');
    await c.get('/boom').catch(() => undefined);
    assert.equal(c.breakerState, 'open');
  });

  it('When the upstream answers 4xx, then the breaker does not count it (the upstream is alive)', async () => {
    server.script((_req, res) => problem(res, 404, 'Not Found'));
    const c = client({ breaker: { failureThreshold: 2 } });
    for (let i = 0; i < 5; i++) await c.get('/missing').catch(() => undefined);
    assert.equal(c.breakerState, 'closed');
    assert.equal(server.received.length, 5);
  });

  it('When called inside a request, then X-Request-Id, the bearer token and default headers are sent', async () => {
    server.script((_req, res) => json(res, 200, {}));
    const logger = createLogger({ service: 'test', stream: new PassThrough() });
    const c = client({
      headers: { 'user-agent': 'shoal-test' },
      bearerToken: () => Promise.resolve('tok-1'),
    });
    await requestContext.run({ requestId: 'req-123', logger }, () => c.get('/h'));
    const headers = server.received[0]?.headers ?? {};
    assert.equal(headers['x-request-id'], 'req-123');
    assert.equal(headers['authorization'], 'Bearer tok-1');
    assert.equal(headers['user-agent'], 'shoal-test');
    await c.get('/h');
    assert.equal(server.received[1]?.headers['x-request-id'], undefined);
  });

  it('When a trace is active, then W3C traceparent carries its trace id and parent span', async () => {
    server.script((_req, res) => json(res, 200, {}));
    const uninstall = installTracePropagation();
    try {
      await context.with(parentContext(), () => client().get('/traced'));
    } finally {
      uninstall();
    }
    assert.equal(server.received[0]?.headers['traceparent'], `00-${TRACE_ID}-${SPAN_ID}-01`);
  });

  it('When the caller aborts, then the call stops with the abort reason and is not retried', async () => {
    server.script((_req, res) => setTimeout(() => json(res, 200, {}), 2_000).unref());
    const controller = new AbortController();
    const pending = client({ retries: 3 }).get('/slow', { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('caller gave up')), 50);
    const error = await rejection(pending);
    assert.match((error as Error).message, /caller gave up/);
    assert.equal(server.received.length, 1);
  });

  it('When the body is empty or not JSON, then it comes back undefined or as text', async () => {
    server.script((req, res) => {
      if (req.url?.endsWith('/empty')) res.writeHead(204).end();
      else res.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
    });
    assert.equal((await client().get('/empty')).body, undefined);
    assert.equal((await client().get('/text')).body, 'hello');
    assert.equal((await client().request('HEAD', '/text')).body, undefined);
    assert.equal((await client().patch('/text', { a: 1 })).status, 200);
  });

  it('When a path points at another origin or options are invalid, then the client refuses', async () => {
    await assert.rejects(client().get('http://example.com/x'), /cannot call http:\/\/example\.com/);
    assert.throws(() => createHttpClient({ baseUrl: server.url, retries: -1 }), /retries/);
    assert.throws(() => createHttpClient({ baseUrl: server.url, timeoutMs: 0 }), /timeoutMs/);
    assert.throws(
      () => createHttpClient({ baseUrl: server.url, breaker: { failureThreshold: 0 } }),
      /failureThreshold/,
    );
  });
});

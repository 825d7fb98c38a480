import assert from 'node:assert/strict';
import { request } from 'node:http';
import { z } from 'zod';
import { HttpProblem } from '../../src/errors/problem.ts';
import { PROBLEM_TYPE_BASE } from '../../src/errors/problem-types.ts';
import { startTestService } from '../support/test-service.ts';
import type { RunningTestService } from '../support/test-service.ts';

const userSchema = z.object({ name: z.string().min(1), age: z.number().int().nonnegative() });

/** Sends a raw request (fetch would not let us lie about the body). */
function rawRequest(
  url: string,
  options: { method: string; path: string; headers?: Record<string, string>; body?: string },
): Promise<{
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${options.path}`,
      { method: options.method, headers: options.headers },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: JSON.parse(text) as Record<string, unknown>,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('errors: every failure is problem+json', () => {
  let running: RunningTestService;
  before(async () => {
    running = await startTestService(
      (app) => {
        app.post('/api/users', (req, res) => {
          res.status(201).json(userSchema.parse(req.body));
        });
        app.get('/api/teapot', () => {
          throw new HttpProblem(418, "I'm a teapot", {
            detail: 'short and stout',
            headers: { 'Retry-After': '5' },
            extensions: { pot: 'brown' },
          });
        });
        app.get('/api/crash', () => {
          throw new Error('database password is hunter2');
        });
        app.get('/api/crash-string', () => {
          throw 'a bare string' as unknown as Error;
        });
        app.get('/api/library-error', () => {
          throw Object.assign(new Error('range not satisfiable here'), {
            status: 416,
            expose: true,
          });
        });
      },
      { env: { BODY_LIMIT: '1kb' } },
    );
  });
  after(() => running.service.stop());

  it('When no route matches, then 404 problem+json with the path as instance', async () => {
    const response = await fetch(`${running.url}/api/nothing?secret=1`);
    assert.equal(response.status, 404);
    assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.deepEqual(await response.json(), {
      type: `${PROBLEM_TYPE_BASE}not-found`,
      title: 'Not Found',
      status: 404,
      detail: 'No route for GET /api/nothing.',
      instance: '/api/nothing',
    });
  });

  it('When the body is larger than BODY_LIMIT, then 413', async () => {
    const response = await fetch(`${running.url}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(2000), age: 1 }),
    });
    assert.equal(response.status, 413);
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body['type'], `${PROBLEM_TYPE_BASE}body-too-large`);
    assert.equal(body['detail'], 'The request body is larger than 1024 bytes.');
  });

  it('When a route gets a body that is neither JSON nor a form, then 415', async () => {
    const response = await fetch(`${running.url}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'name=x',
    });
    assert.equal(response.status, 415);
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body['type'], `${PROBLEM_TYPE_BASE}unsupported-media-type`);
    assert.equal(
      response.headers.get('accept-post'),
      'application/json, application/x-www-form-urlencoded',
    );
  });

  it('When a body comes without any content type, then 415', async () => {
    const response = await rawRequest(running.url, {
      method: 'POST',
      path: '/api/users',
      headers: { 'content-length': '2' },
      body: '{}',
    });
    assert.equal(response.status, 415);
    assert.equal(
      response.body['detail'],
      'Expected an application/json or application/x-www-form-urlencoded body, got no content type.',
    );
  });

  it('When the JSON is malformed, then 400 malformed-json', async () => {
    const response = await fetch(`${running.url}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": ',
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body['type'], `${PROBLEM_TYPE_BASE}malformed-json`);
  });

  it('When the charset is not one JSON allows, then 415', async () => {
    const response = await rawRequest(running.url, {
      method: 'POST',
      path: '/api/users',
      headers: { 'content-type': 'application/json; charset=latin1' },
      body: '{}',
    });
    assert.equal(response.status, 415);
  });

  it('When the body fails the zod schema, then 400 with errors listing each path and message', async () => {
    const response = await fetch(`${running.url}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ name: '', age: -1 }),
    });
    assert.equal(response.status, 400);
    const body = (await response.json()) as {
      type: string;
      errors: { path: string; message: string }[];
    };
    assert.equal(body.type, `${PROBLEM_TYPE_BASE}validation`);
    assert.deepEqual(
      body.errors.map((error) => error.path),
      ['name', 'age'],
    );
    assert.ok(body.errors.every((error) => error.message.length > 0));
  });

  it('When the body is valid, then the route answers normally', async () => {
    const response = await fetch(`${running.url}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Ada', age: 36 }),
    });
    assert.equal(response.status, 201);
    assert.deepEqual(await response.json(), { name: 'Ada', age: 36 });
  });

  it('When a handler throws an HttpProblem, then its status, members and headers are sent as is', async () => {
    const response = await fetch(`${running.url}/api/teapot`);
    assert.equal(response.status, 418);
    assert.equal(response.headers.get('retry-after'), '5');
    assert.deepEqual(await response.json(), {
      type: 'about:blank',
      title: "I'm a teapot",
      status: 418,
      detail: 'short and stout',
      instance: '/api/teapot',
      pot: 'brown',
    });
  });

  it('When a handler throws an unexpected error, then 500 without internals, and the stack is logged', async () => {
    const response = await fetch(`${running.url}/api/crash`, {
      headers: { 'x-request-id': 'crash-1' },
    });
    assert.equal(response.status, 500);
    const text = await response.text();
    assert.deepEqual(JSON.parse(text), {
      type: `${PROBLEM_TYPE_BASE}internal`,
      title: 'Internal Server Error',
      status: 500,
      instance: '/api/crash',
    });
    assert.ok(!text.includes('hunter2'));
    const logged = running.logs.lines().find((line) => line['msg'] === 'request failed');
    assert.ok(logged, 'the failure is logged');
    assert.equal(logged['request_id'], 'crash-1');
    assert.equal(logged['level'], 'error');
    const error = logged['error'] as { message: string; stack: string };
    assert.equal(error.message, 'database password is hunter2');
    assert.match(error.stack, /problem-rendering\.test\.ts/);
  });

  it('When a handler throws something that is not an Error, then 500 all the same', async () => {
    const response = await fetch(`${running.url}/api/crash-string`);
    assert.equal(response.status, 500);
  });

  it('When a library error carries an exposable 4xx status, then that status and its message are used', async () => {
    const response = await fetch(`${running.url}/api/library-error`);
    assert.equal(response.status, 416);
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body['title'], 'Range Not Satisfiable');
    assert.equal(body['detail'], 'range not satisfiable here');
  });
});

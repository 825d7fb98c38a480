import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { Router } from 'express';
import { PROBLEM_TYPE_BASE } from '../../src/errors/problem-types.ts';
import { jsonBodyMiddleware } from '../../src/http/json-body.ts';
import { startTestService } from '../support/test-service.ts';
import type { RunningTestService } from '../support/test-service.ts';

const WEBHOOK_SECRET = 'test-webhook-secret';

/** What the echo route answers: the parsed body and the raw bytes it came from. */
interface Echo {
  body: unknown;
  raw: string | null;
  rawIsBuffer: boolean;
}

/** POSTs `body` with `contentType` and reads the answer as JSON. */
async function post(
  url: string,
  body: string | Uint8Array,
  contentType: string,
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

describe('http: service body parser (JSON, forms, raw bytes)', () => {
  let running: RunningTestService;
  before(async () => {
    running = await startTestService(
      (app) => {
        app.post('/api/echo', (req, res) => {
          const echo: Echo = {
            body: req.body as unknown,
            raw: req.rawBody === undefined ? null : req.rawBody.toString('utf8'),
            rawIsBuffer: Buffer.isBuffer(req.rawBody),
          };
          res.json(echo);
        });
        app.post('/api/webhook', (req, res) => {
          const expected = createHmac('sha256', WEBHOOK_SECRET)
            .update(req.rawBody ?? Buffer.alloc(0))
            .digest('hex');
          res.status(req.headers['x-signature'] === expected ? 204 : 401).end();
        });
        const jsonOnly = Router();
        jsonOnly.use(jsonBodyMiddleware(1024));
        jsonOnly.post('/', (req, res) => {
          res.json({ body: req.body as unknown });
        });
        app.use('/api/json-only', jsonOnly);
      },
      { env: { BODY_LIMIT: '1kb' } },
    );
  });
  after(() => running.service.stop());

  it('When a form is posted, then req.body has its fields, flat, and req.rawBody its bytes', async () => {
    const form = 'grant_type=client_credentials&scope=a+b&user%5Bname%5D=x';
    const { status, json } = await post(
      `${running.url}/api/echo`,
      form,
      'application/x-www-form-urlencoded',
    );
    assert.equal(status, 200);
    assert.deepEqual(json, {
      body: { grant_type: 'client_credentials', scope: 'a b', 'user[name]': 'x' },
      raw: form,
      rawIsBuffer: true,
    });
  });

  it('When JSON is posted, then req.rawBody keeps the exact bytes (spacing, key order, escapes)', async () => {
    const text = '{ "b": 1,\n  "a": "caf\\u00e9 ☕" }';
    const { json } = await post(`${running.url}/api/echo`, text, 'application/json; charset=utf-8');
    assert.deepEqual(json, { body: { b: 1, a: 'café ☕' }, raw: text, rawIsBuffer: true });
  });

  it('When an application/*+json body is posted, then it is parsed like JSON', async () => {
    const { json } = await post(
      `${running.url}/api/echo`,
      '{"specversion":"1.0"}',
      'application/cloudevents+json',
    );
    assert.deepEqual(json['body'], { specversion: '1.0' });
  });

  it('When a webhook is signed over its raw bytes, then the route can check the HMAC; a changed byte fails it', async () => {
    const payload = Buffer.from('{"event":"paid","amount":10.50}');
    const signature = createHmac('sha256', WEBHOOK_SECRET).update(payload).digest('hex');
    const send = (body: Buffer) =>
      fetch(`${running.url}/api/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signature': signature },
        body,
      });
    assert.equal((await send(payload)).status, 204);
    // Same JSON value once parsed, different bytes: a re-serialized body could not tell.
    assert.equal((await send(Buffer.from('{"event":"paid","amount":10.5}'))).status, 401);
  });

  it('When a request has no body, then req.body and req.rawBody are both absent', async () => {
    const response = await fetch(`${running.url}/api/echo`, { method: 'POST' });
    assert.deepEqual(await response.json(), { raw: null, rawIsBuffer: false });
  });

  it('When a form is larger than BODY_LIMIT, then 413', async () => {
    const { status, json } = await post(
      `${running.url}/api/echo`,
      `a=${'x'.repeat(2000)}`,
      'application/x-www-form-urlencoded',
    );
    assert.equal(status, 413);
    assert.equal(json['type'], `${PROBLEM_TYPE_BASE}body-too-large`);
  });

  it('When a body is plain text or multipart, then 415 listing the accepted types', async () => {
    for (const contentType of ['text/plain', 'multipart/form-data; boundary=x']) {
      const { status, headers, json } = await post(`${running.url}/api/echo`, 'x', contentType);
      assert.equal(status, 415, contentType);
      assert.equal(json['type'], `${PROBLEM_TYPE_BASE}unsupported-media-type`);
      assert.equal(
        headers.get('accept-post'),
        'application/json, application/x-www-form-urlencoded',
      );
    }
  });

  it('When a router mounts jsonBodyMiddleware, then it still takes JSON only', async () => {
    const form = await post(
      `${running.url}/api/json-only`,
      'a=1',
      'application/x-www-form-urlencoded',
    );
    assert.equal(form.status, 415);
    assert.equal(
      form.json['detail'],
      'Expected an application/json body, got "application/x-www-form-urlencoded".',
    );
    assert.equal(form.headers.get('accept-post'), 'application/json');
    const json = await post(`${running.url}/api/json-only`, '{"a":1}', 'application/json');
    assert.deepEqual(json.json, { body: { a: 1 } });
  });
});

describe('http: createService with parseBodies: false', () => {
  let running: RunningTestService;
  before(async () => {
    running = await startTestService(
      (app) => {
        // A proxy-like route: reads the untouched request stream itself.
        app.post('/proxy', async (req, res) => {
          const chunks: Buffer[] = [];
          for await (const chunk of req) chunks.push(chunk as Buffer);
          res.json({
            parsed: req.body !== undefined,
            rawBody: req.rawBody !== undefined,
            bytes: Buffer.concat(chunks).toString('utf8'),
          });
        });
      },
      { env: { BODY_LIMIT: '1kb' }, parseBodies: false },
    );
  });
  after(() => running.service.stop());

  it('When any body arrives, then it is neither parsed, nor refused, nor size-limited: the route reads the stream', async () => {
    for (const [contentType, body] of [
      ['text/plain', 'hello'],
      ['application/json', '{"a":1}'],
      ['application/octet-stream', 'y'.repeat(4096)],
    ] as const) {
      const response = await new Promise<{ status: number; json: Record<string, unknown> }>(
        (resolve, reject) => {
          const req = request(
            `${running.url}/proxy`,
            { method: 'POST', headers: { 'content-type': contentType } },
            (res) => {
              let text = '';
              res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
              res.on('end', () =>
                resolve({
                  status: res.statusCode ?? 0,
                  json: JSON.parse(text) as Record<string, unknown>,
                }),
              );
            },
          );
          req.on('error', reject);
          req.end(body);
        },
      );
      assert.equal(response.status, 200, contentType);
      assert.deepEqual(response.json, { parsed: false, rawBody: false, bytes: body });
    }
  });
});

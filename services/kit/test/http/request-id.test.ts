import assert from 'node:assert/strict';
import { getRequestId, getRequestLogger } from '../../src/context/request-context.ts';
import { chooseRequestId } from '../../src/http/request-id.ts';
import { startTestService } from '../support/test-service.ts';
import type { RunningTestService } from '../support/test-service.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('http: request id', () => {
  let running: RunningTestService;
  before(async () => {
    running = await startTestService((app, { logger }) => {
      app.get('/api/whoami', async (_req, res) => {
        await new Promise((resolve) => setImmediate(resolve));
        getRequestLogger(logger).info('handler ran', { step: 'request-logger' });
        logger.info('base logger in a request', { step: 'base-logger' });
        res.json({ requestId: getRequestId() });
      });
    });
  });
  after(() => running.service.stop());

  it('When a well-formed X-Request-Id comes in, then it is kept, echoed and seen by the handler', async () => {
    const response = await fetch(`${running.url}/api/whoami`, {
      headers: { 'X-Request-Id': 'edge-abc_1.2' },
    });
    assert.equal(response.headers.get('x-request-id'), 'edge-abc_1.2');
    assert.deepEqual(await response.json(), { requestId: 'edge-abc_1.2' });
  });

  it('When no X-Request-Id comes in, then a UUID is generated and echoed', async () => {
    const response = await fetch(`${running.url}/api/whoami`);
    const id = response.headers.get('x-request-id') ?? '';
    assert.match(id, UUID);
    assert.deepEqual(await response.json(), { requestId: id });
  });

  it('When the inbound id is malformed or too long, then it is replaced by a UUID', async () => {
    for (const bad of ['has space', 'x'.repeat(129), 'semi;colon', '']) {
      const response = await fetch(`${running.url}/api/whoami`, {
        headers: { 'X-Request-Id': bad },
      });
      assert.match(response.headers.get('x-request-id') ?? '', UUID, `for ${JSON.stringify(bad)}`);
    }
  });

  it('When a handler logs through either logger, then each line carries the request id', async () => {
    await fetch(`${running.url}/api/whoami`, { headers: { 'X-Request-Id': 'log-join-1' } });
    const lines = running.logs.lines().filter((line) => line['request_id'] === 'log-join-1');
    assert.deepEqual(lines.map((line) => line['step'] ?? line['msg']).sort(), [
      'base-logger',
      'request',
      'request-logger',
    ]);
  });

  it('When code runs outside any request, then there is no request id', () => {
    assert.equal(getRequestId(), undefined);
  });

  it('When chooseRequestId gets a header repeated as an array, then it generates a fresh id', () => {
    assert.match(chooseRequestId(['a', 'b']), UUID);
    assert.equal(chooseRequestId('A'.repeat(128)), 'A'.repeat(128));
  });
});

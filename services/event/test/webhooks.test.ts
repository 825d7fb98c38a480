import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { webhookSignature } from '../src/domain/webhook-signature.ts';
import { createTestEnvironment, startEvent } from './support/event-under-test.ts';
import type { EventUnderTest, TestEnvironment } from './support/event-under-test.ts';
import { eventually, readQueue } from './support/queue-reader.ts';

describe('webhooks: signed deliveries from external systems', () => {
  let environment: TestEnvironment;
  let service: EventUnderTest;

  before(async () => {
    environment = await createTestEnvironment();
    service = await startEvent(environment);
  });
  after(async () => {
    await service?.stop();
    await environment?.dispose();
  });

  const nowSec = () => Math.floor(Date.now() / 1000);

  /** Posts `raw` to the acme webhook, signed with `secret` at `timestamp` unless overridden. */
  const deliver = (
    raw: string,
    options: { secret?: string; timestamp?: number; header?: string; source?: string } = {},
  ) => {
    const timestamp = options.timestamp ?? nowSec();
    const signature = webhookSignature(
      options.secret ?? environment.webhookSecret,
      timestamp,
      Buffer.from(raw),
    );
    return service.api.request('POST', `/api/events/webhooks/${options.source ?? 'acme'}`, {
      rawBody: raw,
      headers: {
        'content-type': 'application/json',
        'x-shoal-signature': options.header ?? `t=${timestamp},v1=${signature}`,
      },
    });
  };

  const delivery = (overrides: Record<string, unknown> = {}) =>
    JSON.stringify({ id: randomUUID(), type: 'invoice.paid', data: { amount: 42 }, ...overrides });

  it('When a correctly signed delivery arrives, then it is stored and fanned out as integration.<source>.<type>', async () => {
    // Formatting that a re-serialisation would change: the signature covers these bytes.
    const raw = `{ "id": "evt-1-${randomUUID()}",  "type": "invoice.paid", "data": {"amount": 42.50} }`;
    const response = await deliver(raw);
    assert.equal(response.status, 202);
    const id = String(response.body['id']);
    assert.match(id, /^integration:acme:evt-1-/);

    const stored = await eventually(async () => {
      const found = await service.api.get(`/api/events/${encodeURIComponent(id)}`, {
        token: service.adminToken,
      });
      return found.status === 200 && (found.body['delivered'] as unknown[]).length === 2
        ? found.body
        : undefined;
    }, 'the webhook event fanned out');
    assert.equal(stored['type'], 'integration.acme.invoice.paid');
    assert.equal(stored['source'], '/shoal/webhooks/acme');
    assert.deepEqual((stored['event'] as Record<string, unknown>)['data'], { amount: 42.5 });
    for (const queue of [environment.queues.notification, environment.queues.reporting]) {
      const copies = await readQueue(environment.sqs, await environment.queueUrl(queue), 1);
      assert.equal(copies[0]?.event?.['id'], id);
    }
  });

  it('When the signature is wrong, missing, malformed or made with another secret, then it is a 401', async () => {
    const raw = delivery();
    const timestamp = nowSec();
    const cases = [
      { header: `t=${timestamp},v1=${'0'.repeat(64)}` },
      { header: '' },
      { header: 'sha256=abc' },
      { secret: 'some other secret of enough length' },
    ];
    for (const options of cases) {
      const response = await deliver(raw, options);
      assert.equal(response.status, 401, JSON.stringify(options));
      assert.equal(response.body['type'], 'https://shoal.dev/problems/invalid-webhook-signature');
    }
  });

  it('When the body was changed after signing, then it is a 401', async () => {
    const raw = delivery();
    const timestamp = nowSec();
    const signature = webhookSignature(environment.webhookSecret, timestamp, Buffer.from(raw));
    const tampered = raw.replace('42', '4200');
    const response = await service.api.request('POST', '/api/events/webhooks/acme', {
      rawBody: tampered,
      headers: {
        'content-type': 'application/json',
        'x-shoal-signature': `t=${timestamp},v1=${signature}`,
      },
    });
    assert.equal(response.status, 401);
  });

  it('When the signed timestamp is more than 5 minutes old (or ahead), then it is a 401', async () => {
    for (const skew of [-301, 301]) {
      const response = await deliver(delivery(), { timestamp: nowSec() + skew });
      assert.equal(response.status, 401, `skew ${skew}`);
      assert.match(String(response.body['detail']), /timestamp/);
    }
    assert.equal((await deliver(delivery(), { timestamp: nowSec() - 240 })).status, 202);
  });

  it('When a delivery is replayed (same id, fresh signature), then it is ignored and stored once', async () => {
    const raw = delivery();
    const first = await deliver(raw);
    assert.equal(first.status, 202);
    const id = String(first.body['id']);
    await eventually(
      async () => ((await service.events.hub.has(id)) ? true : undefined),
      'the first delivery stored',
    );
    const replay = await deliver(raw, { timestamp: nowSec() + 1 });
    assert.equal(replay.status, 200);
    assert.deepEqual(replay.body, { id, duplicate: true });
    const listed = await service.api.get('/api/events?type=integration.acme.invoice.paid', {
      token: service.adminToken,
    });
    assert.equal(
      (listed.body['items'] as Array<{ id: string }>).filter((item) => item.id === id).length,
      1,
    );
  });

  it('When the source is unknown or the body is not a delivery, then it is a 404 or 400 problem', async () => {
    assert.equal((await deliver(delivery(), { source: 'nobody' })).status, 404);
    const noId = await deliver(JSON.stringify({ type: 'x', data: {} }));
    assert.equal(noId.status, 400);
    assert.match(JSON.stringify(noId.body['errors']), /"path":"id"/);
    const badType = await deliver(delivery({ type: 'Not A Type!' }));
    assert.equal(badType.status, 400);
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded']) {
      const notJson = await service.api.request('POST', '/api/events/webhooks/acme', {
        rawBody: 'id=1&type=x',
        headers: { 'content-type': contentType, 'x-shoal-signature': 't=1,v1=00' },
      });
      assert.equal(notJson.status, 415, contentType);
    }
  });
});

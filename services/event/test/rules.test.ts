import assert from 'node:assert/strict';
import { parseSubscriptions, subscribersOf } from '../src/domain/subscriptions.ts';
import {
  parseWebhookSecrets,
  verifyWebhookSignature,
  webhookSignature,
} from '../src/domain/webhook-signature.ts';
import { EventContracts } from '../src/events/event-contracts.ts';
import { DEFAULT_SUBSCRIPTIONS } from '../src/config.ts';

describe('rules: subscriptions, signatures and contracts', () => {
  it('When types are matched, then exact names, "prefix.*" and "*" select the right subscriptions', () => {
    const subscriptions = parseSubscriptions(DEFAULT_SUBSCRIPTIONS);
    assert.deepEqual(subscribersOf('auth.user.registered', subscriptions), [
      'user-events',
      'notification-events',
      'reporting-events',
    ]);
    assert.deepEqual(subscribersOf('user.deleted', subscriptions), [
      'notification-events',
      'reporting-events',
    ]);
    // A prefix pattern needs the dot: "user.*" is not "users.x".
    assert.deepEqual(subscribersOf('users.x', subscriptions), ['reporting-events']);
    assert.equal(subscriptions[0]?.deadLetterQueue, 'user-events-dlq');
  });

  it('When SUBSCRIPTIONS is malformed, then the error names what is wrong', () => {
    assert.throws(() => parseSubscriptions('nope'), /must be JSON/);
    assert.throws(() => parseSubscriptions('[]'), /SUBSCRIPTIONS/);
    assert.throws(
      () => parseSubscriptions('[{"name":"a","types":["x"]},{"name":"a","types":["y"]}]'),
      /unique/,
    );
    assert.throws(() => parseSubscriptions('[{"name":"a","types":["a.*.b"]}]'), /types\.0/);
    assert.throws(() => parseWebhookSecrets('{"acme":"short"}'), /at least 16/);
  });

  it('When a signature is checked, then only the right secret, bytes and time window pass', () => {
    const secret = 'a webhook secret of some length';
    const body = Buffer.from('{"id":"1"}');
    const now = Date.UTC(2030, 0, 1);
    const t = now / 1000;
    const check = (header: string, rawBody = body) =>
      verifyWebhookSignature({ header, secret, rawBody, toleranceSec: 300, nowMs: now });
    check(`t=${t},v1=${webhookSignature(secret, t, body)}`);
    // Rotation: any of several v1 values may match.
    check(`t=${t},v1=${'a'.repeat(64)},v1=${webhookSignature(secret, t, body)}`);
    assert.throws(() => check(`t=${t},v1=${webhookSignature('other secret 123456', t, body)}`));
    assert.throws(() => check(`t=${t},v1=${webhookSignature(secret, t, body)}`, Buffer.from('{}')));
    assert.throws(
      () => check(`t=${t - 301},v1=${webhookSignature(secret, t - 301, body)}`),
      /window/,
    );
    assert.throws(() => check(`v1=${webhookSignature(secret, t, body)}`), /t=<unix seconds>/);
  });

  it('When events are checked against contracts, then conforming ones pass and others get a reason', () => {
    const contracts = new EventContracts();
    const event = (type: string, data: unknown) => ({
      specversion: '1.0' as const,
      id: '1',
      source: '/x',
      type,
      data,
    });
    const id = '00000000-0000-4000-8000-000000000000';
    assert.deepEqual(
      contracts.check(event('auth.user.registered', { id, email: 'a@b.co', name: 'A' })),
      { ok: true },
    );
    assert.deepEqual(contracts.check(event('integration.acme.anything', { x: 1 })), { ok: true });
    const broken = contracts.check(event('auth.user.roles_changed', { id, roles: 'admin' }));
    assert.equal(broken.ok, false);
    assert.match(JSON.stringify(broken), /previous_roles/);
    assert.match(JSON.stringify(contracts.check(event('integration.acme.x', [1]))), /object/);
    assert.ok(contracts.types.includes('user.profile.updated'));
  });
});

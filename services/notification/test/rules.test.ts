import assert from 'node:assert/strict';
import { createCloudEvent } from '@shoal/kit';
import { deliveryId } from '../src/domain/delivery-id.ts';
import { InvalidCursorError } from '../src/domain/errors.ts';
import { planFor } from '../src/domain/event-plans.ts';
import { decodeCursor, encodeCursor } from '../src/domain/inbox.ts';
import type { Contact } from '../src/domain/notification.ts';
import { integrationTemplate } from '../src/domain/templates.ts';
import { retryDelaySec } from '../src/events/notification-consumer.ts';

const rules = {
  authSource: '/shoal/auth',
  userSource: '/shoal/user',
  integration: integrationTemplate(
    '{type} for {name}',
    'Deal {data.deal} ({data.amount}) {data.missing}',
  ),
};
const contact: Contact = {
  id: 'u1',
  email: 'ada@example.com',
  displayName: null,
  locale: null,
  notificationPrefs: { email: true, inApp: true },
};

describe('rules: which event notifies whom, with which template', () => {
  it('When each consumed type arrives from its producer, then it maps to its template and recipient', () => {
    const registered = planFor(
      createCloudEvent({
        type: 'auth.user.registered',
        source: '/shoal/auth',
        data: { id: 'u1', email: 'ada@example.com', name: 'Ada' },
      }),
      rules,
    );
    assert.equal(registered.kind, 'notify');
    assert.equal(registered.kind === 'notify' && registered.template.name, 'welcome');
    assert.equal(
      registered.kind === 'notify' && registered.fallbackContact?.email,
      'ada@example.com',
    );
    const deleted = planFor(
      createCloudEvent({ type: 'user.deleted', source: '/shoal/user', data: { id: 'u2' } }),
      rules,
    );
    assert.deepEqual(
      deleted.kind === 'notify' && [deleted.userId, deleted.template.name, deleted.includeDeleted],
      ['u2', 'account-deleted', true],
    );
    const integration = planFor(
      createCloudEvent({
        type: 'integration.crm.won',
        source: '/shoal/webhooks/crm',
        subject: 'u3',
        data: {},
      }),
      rules,
    );
    assert.equal(integration.kind === 'notify' && integration.userId, 'u3');
  });

  it('When an event comes from another producer, has no recipient or no template, then it is ignored', () => {
    const ignored = [
      createCloudEvent({
        type: 'auth.user.registered',
        source: '/shoal/http/x',
        data: { id: 'u' },
      }),
      createCloudEvent({ type: 'user.deleted', source: '/shoal/auth', data: { id: 'u' } }),
      createCloudEvent({
        type: 'integration.crm.won',
        source: '/shoal/user',
        subject: 'u',
        data: {},
      }),
      createCloudEvent({ type: 'integration.crm.won', source: '/shoal/webhooks/crm', data: {} }),
      createCloudEvent({ type: 'auth.user.logged_in', source: '/shoal/auth', data: { id: 'u' } }),
      createCloudEvent({ type: 'auth.user.registered', source: '/shoal/auth', data: {} }),
    ];
    for (const event of ignored) assert.equal(planFor(event, rules).kind, 'ignore', event.type);
  });

  it('When the integration template is rendered, then placeholders are filled and unknown ones stay', () => {
    const event = createCloudEvent({
      type: 'integration.crm.won',
      source: '/shoal/webhooks/crm',
      subject: 'u1',
      data: { deal: 'ACME', amount: 42 },
    });
    assert.deepEqual(rules.integration.render(event, contact), {
      subject: 'integration.crm.won for ada',
      text: 'Deal ACME (42) {data.missing}',
    });
    const sneaky = integrationTemplate('{data.deal}', 'x').render(
      { ...event, data: { deal: 'a\r\nBcc: evil@example.com' } },
      contact,
    );
    assert.equal(sneaky.subject, 'a Bcc: evil@example.com');
  });

  it('When the delivery id is derived, then it is stable per (event, channel) and differs between them', () => {
    assert.equal(deliveryId('e1', 'email'), deliveryId('e1', 'email'));
    assert.notEqual(deliveryId('e1', 'email'), deliveryId('e1', 'inApp'));
    assert.notEqual(deliveryId('e1', 'email'), deliveryId('e2', 'email'));
    assert.match(deliveryId('e1', 'email'), /^[A-Za-z0-9_-]{22}$/);
  });

  it('When retries pile up, then the pause doubles from the base up to the cap', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((count) => retryDelaySec(count, 10, 300)),
      [10, 20, 40, 80, 160, 300],
    );
  });

  it('When a cursor round-trips, then it comes back equal; a forged one is refused', () => {
    const position = { createdAt: new Date('2026-01-02T03:04:05.678Z'), id: 'abcDEF_-123' };
    assert.deepEqual(decodeCursor(encodeCursor(position)), position);
    for (const forged of ['', 'bm9wZQ', Buffer.from('1.a b').toString('base64url')]) {
      assert.throws(() => decodeCursor(forged), InvalidCursorError);
    }
  });
});

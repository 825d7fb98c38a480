import assert from 'node:assert/strict';
import type { CloudEvent } from '@shoal/kit';
import { deliveryId } from '../src/domain/delivery-id.ts';
import type { TestUser } from './support/auth-process.ts';
import {
  eventually,
  NotificationTestbed,
  platformEvents,
} from './support/notification-under-test.ts';

/** The notification.sent/failed events published about `event`, by channel. */
function aboutEvent(published: CloudEvent[], event: CloudEvent): Map<string, CloudEvent[]> {
  const byKey = new Map<string, CloudEvent[]>();
  for (const candidate of published) {
    const data = candidate.data as { eventId: string; channel: string };
    if (data.eventId !== event.id) continue;
    const key = `${candidate.type}/${data.channel}`;
    byKey.set(key, [...(byKey.get(key) ?? []), candidate]);
  }
  return byKey;
}

describe('delivery: one email and one inbox item per event and channel, whatever happens', () => {
  const testbed = new NotificationTestbed();

  before(async () => {
    await testbed.start();
  });
  after(async () => {
    await testbed.stop();
  });

  const inboxOf = async (user: TestUser) => {
    const response = await testbed.api.get('/api/notifications', { token: user.token });
    assert.equal(response.status, 200);
    return response.body['items'] as Record<string, unknown>[];
  };

  it('When each event type is delivered three times, then each yields exactly one email, one inbox item and one notification.sent per channel', async () => {
    const cases: { user: TestUser; event: CloudEvent; subject: RegExp; template: string }[] = [];
    const registered = await testbed.newUser('Rita Registered');
    cases.push({
      user: registered,
      event: platformEvents.registered(registered),
      subject: /Welcome/,
      template: 'welcome',
    });
    const changed = await testbed.newUser('Carl Changed');
    cases.push({
      user: changed,
      event: platformEvents.profileUpdated(changed),
      subject: /profile was changed/,
      template: 'profile-changed',
    });
    const leaving = await testbed.newUser('Lena Leaving');
    await fetch(`${testbed.usersUrl}/api/users/me`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${leaving.token}` },
    });
    cases.push({
      user: leaving,
      event: platformEvents.deleted(leaving),
      subject: /deleted/,
      template: 'account-deleted',
    });
    const integrated = await testbed.newUser('Ivan Integrated');
    cases.push({
      user: integrated,
      event: platformEvents.integration(integrated),
      subject: /integration\.crm\.deal_won/,
      template: 'integration',
    });

    for (const { event } of cases) await testbed.deliver(event, 3);
    for (const { event } of cases) await testbed.handledTimes(event, 3);

    const published = await testbed.awaitPublished((events) =>
      cases.every(({ event }) => aboutEvent(events, event).size === 2),
    );
    for (const { user, event, subject, template } of cases) {
      const mails = testbed.smtp.to(user.email);
      assert.equal(mails.length, 1, `${event.type}: one email`);
      assert.match(mails[0]?.subject ?? '', subject);
      assert.equal(mails[0]?.messageId, `<${deliveryId(event.id, 'email')}@notification.shoal>`);
      const items = await inboxOf(user);
      assert.equal(items.length, 1, `${event.type}: one inbox item`);
      assert.equal(items[0]?.['eventId'], event.id);
      assert.equal(items[0]?.['template'], template);
      const about = aboutEvent(published, event);
      assert.deepEqual([...about.keys()].sort(), [
        'notification.sent/email',
        'notification.sent/inApp',
      ]);
      for (const copies of about.values()) {
        assert.equal(new Set(copies.map((copy) => copy.id)).size, 1, 'one event id per channel');
        assert.deepEqual(copies[0]?.data, {
          eventId: event.id,
          eventType: event.type,
          userId: user.id,
          channel: (copies[0]?.data as { channel: string }).channel,
          template,
        });
      }
    }
    // The integration template fills in the webhook's data.
    assert.match(testbed.smtp.to(integrated.email)[0]?.text ?? '', /Ivan Integrated/);
  });

  it('When a registration outruns the profile, then the welcome goes to the address in the event', async () => {
    // Registered in auth only: the user service has no profile yet (its consumer is behind).
    const early = await testbed.auth.register('Eve Early');
    const event = platformEvents.registered(early);
    await testbed.deliver(event);
    await testbed.handledTimes(event, 1);
    const mails = testbed.smtp.to(early.email);
    assert.equal(mails.length, 1);
    assert.match(mails[0]?.text ?? '', /Eve Early/);
    assert.equal((await inboxOf(early)).length, 1);
  });

  it('When the profile is made right after a registration that outran it, then the next event about that user reaches them (a "no such user" is not remembered)', async () => {
    // As on the cluster: user and notification consume auth.user.registered side by side, so
    // notification may ask for the contact just before the user service has made it.
    const late = await testbed.auth.register('Lou Late');
    const welcome = platformEvents.registered(late);
    await testbed.deliver(welcome);
    await testbed.handledTimes(welcome, 1);
    await testbed.users.profiles.registered(late);

    const integration = platformEvents.integration(late);
    await testbed.deliver(integration);
    const [result] = await testbed.handledTimes(integration, 1);
    assert.deepEqual(result, { kind: 'notified', outcomes: { email: 'sent', inApp: 'sent' } });
  });

  it('When the recipient does not exist, then notification.failed says so for both channels', async () => {
    const ghost = await testbed.auth.register('Gus Ghost');
    const event = platformEvents.profileUpdated(ghost);
    await testbed.deliver(event);
    const [result] = await testbed.handledTimes(event, 1);
    assert.deepEqual(result, { kind: 'notified', outcomes: { email: 'failed', inApp: 'failed' } });
    const published = await testbed.awaitPublished(
      (events) => aboutEvent(events, event).size === 2,
    );
    const about = aboutEvent(published, event);
    assert.deepEqual([...about.keys()].sort(), [
      'notification.failed/email',
      'notification.failed/inApp',
    ]);
    for (const copies of about.values()) {
      assert.equal((copies[0]?.data as { reason: string }).reason, 'recipient-not-found');
    }
  });

  it('When the user turned email off, then there is an inbox item but no email, and turning it back on does not resend', async () => {
    const quiet = await testbed.newUser('Quentin Quiet');
    await testbed.setPrefs(quiet, { email: false });
    const event = platformEvents.profileUpdated(quiet);
    await testbed.deliver(event);
    const [result] = await testbed.handledTimes(event, 1);
    assert.deepEqual(result, {
      kind: 'notified',
      outcomes: { email: 'skipped-preference', inApp: 'sent' },
    });
    assert.equal((await inboxOf(quiet)).length, 1);

    await testbed.setPrefs(quiet, { email: true });
    await testbed.deliver(event);
    await testbed.handledTimes(event, 2);
    assert.equal(testbed.smtp.to(quiet.email).length, 0);
  });

  it('When the user turned in-app off, then there is an email but no inbox item', async () => {
    const mailOnly = await testbed.newUser('Mia Mailonly');
    await testbed.setPrefs(mailOnly, { inApp: false });
    const event = platformEvents.profileUpdated(mailOnly);
    await testbed.deliver(event);
    await testbed.handledTimes(event, 1);
    assert.equal(testbed.smtp.to(mailOnly.email).length, 1);
    assert.equal((await inboxOf(mailOnly)).length, 0);
  });

  it('When the user service is down, then the event waits in SQS and is delivered once it is back', async () => {
    const patient = await testbed.newUser('Paula Patient');
    await testbed.users.stop();
    const event = platformEvents.profileUpdated(patient);
    const failedBefore = testbed.notifications.consumer?.stats.failed ?? 0;
    await testbed.deliver(event);
    await eventually(
      () => ((testbed.notifications.consumer?.stats.failed ?? 0) > failedBefore ? true : undefined),
      'a failed attempt while the user service is down',
    );
    assert.equal(testbed.handled.get(event.id), undefined);
    assert.equal(testbed.smtp.to(patient.email).length, 0);

    await testbed.startUsers();
    await eventually(() => testbed.handled.get(event.id), 'delivery after the restart', 400);
    assert.equal(testbed.smtp.to(patient.email).length, 1);
    assert.equal((await inboxOf(patient)).length, 1);
  });

  it('When the mail server refuses the address for good, then notification.failed is published once and the inbox item still comes', async () => {
    const bounced = await testbed.newUser('Bruno Bounced');
    testbed.smtp.refused.add(bounced.email);
    const event = platformEvents.profileUpdated(bounced);
    await testbed.deliver(event, 2);
    const results = await testbed.handledTimes(event, 2);
    assert.ok(
      results.some((result) => result.kind === 'notified' && result.outcomes.email === 'failed'),
    );
    assert.equal(testbed.smtp.to(bounced.email).length, 0);
    assert.equal((await inboxOf(bounced)).length, 1);
    const published = await testbed.awaitPublished(
      (events) => aboutEvent(events, event).size === 2,
    );
    const about = aboutEvent(published, event);
    assert.deepEqual([...about.keys()].sort(), [
      'notification.failed/email',
      'notification.sent/inApp',
    ]);
    const failed = about.get('notification.failed/email') ?? [];
    assert.equal(new Set(failed.map((copy) => copy.id)).size, 1);
    assert.match(String((failed[0]?.data as { reason: string }).reason), /smtp-rejected/);
  });

  it('When the mail server is away for a while, then the email goes out once it answers, with the same Message-ID', async () => {
    const later = await testbed.newUser('Lars Later');
    testbed.smtp.unavailable = true;
    const failedBefore = testbed.notifications.consumer?.stats.failed ?? 0;
    const event = platformEvents.profileUpdated(later);
    await testbed.deliver(event);
    try {
      await eventually(
        () =>
          (testbed.notifications.consumer?.stats.failed ?? 0) > failedBefore ? true : undefined,
        'a failed send while SMTP refuses connections',
      );
    } finally {
      testbed.smtp.unavailable = false;
    }
    await eventually(() => testbed.handled.get(event.id), 'delivery once SMTP answers', 300);
    const mails = testbed.smtp.to(later.email);
    assert.equal(mails.length, 1);
    assert.equal(mails[0]?.messageId, `<${deliveryId(event.id, 'email')}@notification.shoal>`);
  });

  it('When the inbox is switched off between two tries of an event, then the item of the first try still gets its notification.sent', async () => {
    const fickle = await testbed.newUser('Finn Fickle');
    const event = platformEvents.profileUpdated(fickle);
    testbed.smtp.unavailable = true;
    const failedBefore = testbed.notifications.consumer?.stats.failed ?? 0;
    try {
      await testbed.deliver(event);
      await eventually(
        () =>
          (testbed.notifications.consumer?.stats.failed ?? 0) > failedBefore ? true : undefined,
        'a failed first try',
      );
      assert.equal((await inboxOf(fickle)).length, 1);
      await testbed.setPrefs(fickle, { inApp: false });
    } finally {
      testbed.smtp.unavailable = false;
    }
    const [result] = await testbed.handledTimes(event, 1);
    // The first try released its claim when SMTP refused: the retry takes it over.
    assert.deepEqual(result, {
      kind: 'notified',
      outcomes: { email: 'taken-over-and-sent', inApp: 'already-done' },
    });
    const published = await testbed.awaitPublished(
      (events) => aboutEvent(events, event).size === 2,
    );
    assert.deepEqual([...aboutEvent(published, event).keys()].sort(), [
      'notification.sent/email',
      'notification.sent/inApp',
    ]);
  });

  it('When a sender crashed mid-send long ago, then a redelivery takes over and sends with the delivery Message-ID', async () => {
    const orphan = await testbed.newUser('Otto Orphan');
    const event = platformEvents.profileUpdated(orphan);
    const id = deliveryId(event.id, 'email');
    // What a crash between claim and SMTP leaves: a pending record, its lease long expired.
    await testbed.mongo
      .db(testbed.names.notificationDatabase)
      .collection('delivery_claims')
      .insertOne({
        _id: id as never,
        eventId: event.id,
        eventType: event.type,
        channel: 'email',
        userId: orphan.id,
        template: 'profile-changed',
        state: 'pending',
        reason: null,
        attempt: 1,
        claimedAt: new Date(Date.now() - 3_600_000),
        updatedAt: new Date(Date.now() - 3_600_000),
        _outbox: [],
      });
    await testbed.deliver(event);
    const [result] = await testbed.handledTimes(event, 1);
    assert.equal(
      result?.kind === 'notified' ? result.outcomes.email : result,
      'taken-over-and-sent',
    );
    const mails = testbed.smtp.to(orphan.email);
    assert.equal(mails.length, 1);
    assert.equal(mails[0]?.messageId, `<${id}@notification.shoal>`);
  });

  it('When a crash left the inbox item but nothing else, then the redelivery sends the email and both notification.sent, and no second item', async () => {
    const halfway = await testbed.newUser('Hal Halfway');
    const event = platformEvents.profileUpdated(halfway);
    const itemId = deliveryId(event.id, 'inApp');
    await testbed.mongo
      .db(testbed.names.notificationDatabase)
      .collection('inbox')
      .insertOne({
        _id: itemId as never,
        userId: halfway.id,
        eventId: event.id,
        eventType: event.type,
        template: 'profile-changed',
        title: 'Your Shoal profile was changed',
        body: 'from before the crash',
        createdAt: new Date(),
        readAt: null,
      });
    await testbed.deliver(event);
    const [result] = await testbed.handledTimes(event, 1);
    assert.deepEqual(result, {
      kind: 'notified',
      outcomes: { email: 'sent', inApp: 'already-done' },
    });
    assert.equal(testbed.smtp.to(halfway.email).length, 1);
    const items = await inboxOf(halfway);
    assert.deepEqual(
      items.map((item) => [item['id'], item['body']]),
      [[itemId, 'from before the crash']],
    );
    const published = await testbed.awaitPublished(
      (events) => aboutEvent(events, event).size === 2,
    );
    assert.deepEqual([...aboutEvent(published, event).keys()].sort(), [
      'notification.sent/email',
      'notification.sent/inApp',
    ]);
  });

  it('When one user gets several events, then their contact is looked up once while cached, and again after a profile change', async () => {
    const cached = await testbed.newUser('Cora Cached');
    const lookups = async () => {
      const text = await (await fetch(`${testbed.usersUrl}/metrics`)).text();
      const line = text
        .split('\n')
        .find(
          (candidate) =>
            candidate.startsWith('http_requests_total{') &&
            candidate.includes('route="/api/users/:id/contact"') &&
            candidate.includes('status="200"'),
        );
      return line === undefined ? 0 : Number(line.split(' ').at(-1));
    };
    const before = await lookups();
    for (const event of [platformEvents.integration(cached), platformEvents.integration(cached)]) {
      await testbed.deliver(event);
      await testbed.handledTimes(event, 1);
    }
    assert.equal((await lookups()) - before, 1);
    const changed = platformEvents.profileUpdated(cached);
    await testbed.deliver(changed);
    await testbed.handledTimes(changed, 1);
    assert.equal((await lookups()) - before, 2);
    assert.equal(testbed.smtp.to(cached.email).length, 3);
  });

  it('When an event comes from a producer that does not own its type, then nobody is notified', async () => {
    const target = await testbed.newUser('Tom Target');
    const forged = { ...platformEvents.deleted(target), source: '/shoal/http/someone' };
    await testbed.deliver(forged);
    const [result] = await testbed.handledTimes(forged, 1);
    assert.deepEqual(result, { kind: 'ignored', reason: 'untrusted source' });
    assert.equal(testbed.smtp.to(target.email).length, 0);
  });
  it('When events were handled, then /metrics counts channel outcomes, ignored events and failures', async () => {
    const response = await fetch(new URL('/metrics', testbed.api.baseUrl));
    const text = await response.text();
    assert.match(
      text,
      /notification_deliveries_total\{[^}]*channel="email",outcome="sent"[^}]*\} [1-9]/,
    );
    assert.match(
      text,
      /notification_deliveries_total\{[^}]*channel="inApp",outcome="sent"[^}]*\} [1-9]/,
    );
    assert.match(
      text,
      /notification_deliveries_total\{[^}]*outcome="skipped-preference"[^}]*\} [1-9]/,
    );
    assert.match(text, /notification_events_ignored_total\{[^}]*type="user.deleted"[^}]*\} 1/);
    assert.match(text, /notification_handler_failures_total\{[^}]*\} [1-9]/);
    assert.match(text, /notification_event_lag_seconds_count\{[^}]*\} [1-9]/);
  });
});

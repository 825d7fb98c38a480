import assert from 'node:assert/strict';
import type { CloudEvent } from '@shoal/kit';
import { NOTIFICATION_CLIENT } from './support/auth-process.ts';
import type { TestUser } from './support/auth-process.ts';
import { NotificationTestbed, platformEvents } from './support/notification-under-test.ts';

describe('inbox: the caller reads, pages and marks their own notifications', () => {
  const testbed = new NotificationTestbed();
  let alice: TestUser;
  let bob: TestUser;
  const aliceEvents: CloudEvent[] = [];

  before(async () => {
    await testbed.start();
    alice = await testbed.newUser('Alice Inbox');
    bob = await testbed.newUser('Bob Inbox');
    // Five items for Alice (one at a time, so their order is known), one for Bob.
    for (let index = 0; index < 5; index += 1) {
      const event = platformEvents.profileUpdated(alice);
      aliceEvents.push(event);
      await testbed.deliver(event);
      await testbed.handledTimes(event, 1);
    }
    const bobs = platformEvents.registered(bob);
    await testbed.deliver(bobs);
    await testbed.handledTimes(bobs, 1);
  });
  after(async () => {
    await testbed.stop();
  });

  const list = async (user: TestUser, query = '') => {
    const response = await testbed.api.get(`/api/notifications${query}`, { token: user.token });
    assert.equal(response.status, 200);
    return response.body as { items: Record<string, unknown>[]; nextCursor: string | null };
  };

  it('When a user pages through their inbox, then they see only their items, newest first, each once', async () => {
    const seen: Record<string, unknown>[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await list(alice, `?limit=2${cursor === null ? '' : `&cursor=${cursor}`}`);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 10);
    assert.equal(pages, 3);
    assert.deepEqual(
      seen.map((item) => item['eventId']),
      aliceEvents.map((event) => event.id).reverse(),
    );
    assert.ok(seen.every((item) => item['readAt'] === null));
    const bobsItems = (await list(bob)).items;
    assert.equal(bobsItems.length, 1);
    assert.equal(bobsItems[0]?.['template'], 'welcome');
  });

  it('When a user marks items read, then the unread filter leaves them out and read-all takes the rest', async () => {
    const [newest, second] = (await list(alice)).items;
    const read = await testbed.api.post(
      `/api/notifications/${String(newest?.['id'])}/read`,
      undefined,
      {
        token: alice.token,
      },
    );
    assert.equal(read.status, 200);
    assert.equal(typeof read.body['readAt'], 'string');
    // Again is harmless: the first readAt stays.
    const again = await testbed.api.post(
      `/api/notifications/${String(newest?.['id'])}/read`,
      undefined,
      {
        token: alice.token,
      },
    );
    assert.equal(again.body['readAt'], read.body['readAt']);

    const unread = (await list(alice, '?unread=true')).items;
    assert.equal(unread.length, 4);
    assert.equal(unread[0]?.['id'], second?.['id']);

    const all = await testbed.api.post('/api/notifications/read-all', undefined, {
      token: alice.token,
    });
    assert.deepEqual(all.body, { updated: 4 });
    assert.equal((await list(alice, '?unread=true')).items.length, 0);
    // Bob's item was not touched.
    assert.equal((await list(bob, '?unread=true')).items.length, 1);
  });

  it("When a user marks someone else's item read, then it is the same 404 as for an id that does not exist", async () => {
    const [bobsItem] = (await list(bob)).items;
    const other = await testbed.api.post(
      `/api/notifications/${String(bobsItem?.['id'])}/read`,
      undefined,
      {
        token: alice.token,
      },
    );
    const missing = await testbed.api.post('/api/notifications/doesNotExist123/read', undefined, {
      token: alice.token,
    });
    assert.equal(other.status, 404);
    assert.equal(missing.status, 404);
    assert.deepEqual(
      { ...other.body, instance: undefined },
      { ...missing.body, instance: undefined },
    );
    assert.equal((await list(bob, '?unread=true')).items.length, 1);
  });

  it('When the query is malformed, then it is a 400 problem naming the field', async () => {
    for (const query of ['?limit=0', '?limit=abc', '?unread=yes', '?cursor=bm9wZQ', '?sort=asc']) {
      const response = await testbed.api.get(`/api/notifications${query}`, { token: alice.token });
      assert.equal(response.status, 400, query);
      assert.equal(response.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    }
    const badId = await testbed.api.post(`/api/notifications/${'x'.repeat(100)}/read`, undefined, {
      token: alice.token,
    });
    assert.equal(badId.status, 400);
  });

  it('When the token is missing, forged or a service token, then it is a 401 or 403 problem', async () => {
    assert.equal((await testbed.api.get('/api/notifications')).status, 401);
    assert.equal((await testbed.api.get('/api/notifications', { token: 'not.a.jwt' })).status, 401);
    const service = await testbed.auth.serviceToken(NOTIFICATION_CLIENT);
    assert.equal((await testbed.api.get('/api/notifications', { token: service })).status, 403);
    assert.equal(
      (await testbed.api.post('/api/notifications/read-all', undefined, { token: service })).status,
      403,
    );
  });

  it('When the OpenAPI document is asked for, then it is served as JSON', async () => {
    const response = await testbed.api.get('/api/notifications/openapi.json');
    assert.equal(response.status, 200);
    assert.equal(response.body['openapi'], '3.1.0');
  });
});

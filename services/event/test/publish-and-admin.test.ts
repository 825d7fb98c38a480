import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createTestEnvironment, startEvent } from './support/event-under-test.ts';
import type { EventUnderTest, TestEnvironment } from './support/event-under-test.ts';
import { eventually, readQueue } from './support/queue-reader.ts';

describe('publish over HTTP, and the admin API (log, replay, metrics)', () => {
  let environment: TestEnvironment;
  let service: EventUnderTest;
  let publisherToken: string;

  before(async () => {
    environment = await createTestEnvironment();
    service = await startEvent(environment);
    publisherToken = environment.tokens.token({
      sub: 'billing',
      roles: [],
      scope: ['events:publish'],
      clientId: 'billing',
    });
  });
  after(async () => {
    await service?.stop();
    await environment?.dispose();
  });

  const deleted = (id = randomUUID()) => ({
    type: 'user.deleted',
    subject: id,
    data: { id, deletedAt: new Date().toISOString() },
  });

  const fannedOut = (id: string) =>
    eventually(async () => {
      const response = await service.api.get(`/api/events/${encodeURIComponent(id)}`, {
        token: service.adminToken,
      });
      return response.status === 200 &&
        (response.body['delivered'] as unknown[]).length ===
          (response.body['subscribers'] as unknown[]).length
        ? response.body
        : undefined;
    }, `event ${id} fanned out`);

  it('When a service with events:publish publishes, then it is accepted, stored with an HTTP source and fanned out', async () => {
    const response = await service.api.post('/api/events', deleted(), { token: publisherToken });
    assert.equal(response.status, 202);
    const stored = await fannedOut(String(response.body['id']));
    assert.equal(stored['source'], '/shoal/http/billing');
    assert.deepEqual([...(stored['delivered'] as string[])].sort(), [
      'notification-events',
      'reporting-events',
    ]);
  });

  it('When a caller without events:publish or admin publishes, then it is a 403; without a token a 401', async () => {
    const user = environment.tokens.token();
    assert.equal((await service.api.post('/api/events', deleted(), { token: user })).status, 403);
    assert.equal((await service.api.post('/api/events', deleted())).status, 401);
    const admin = await service.api.post('/api/events', deleted(), { token: service.adminToken });
    assert.equal(admin.status, 202);
  });

  it('When a published event breaks its contract or the request schema, then it is a 400 problem and nothing is queued', async () => {
    const id = randomUUID();
    const cases: Array<[unknown, RegExp]> = [
      [{ type: 'user.deleted', data: { id } }, /deletedAt/],
      [{ type: 'made.up.type', data: {} }, /no contract/],
      [{ ...deleted(), source: '/shoal/auth' }, /Unrecognized key/],
      [{ type: 'user.deleted' }, /data/],
      [{ ...deleted(), id: 'has spaces' }, /printable/],
    ];
    for (const [body, reason] of cases) {
      const response = await service.api.post('/api/events', body, { token: publisherToken });
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.match(JSON.stringify(response.body), reason);
    }
  });

  it('When the input is hostile (huge, malformed, odd ids), then each gets a clear problem, never a 500', async () => {
    const huge = await service.api.post(
      '/api/events',
      { ...deleted(), subject: 'x'.repeat(200_000) },
      { token: publisherToken },
    );
    assert.equal(huge.status, 413);
    const malformed = await service.api.request('POST', '/api/events', {
      token: publisherToken,
      rawBody: '{"type": ',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body['type'], 'https://shoal.dev/problems/malformed-json');
    const longId = await service.api.get(`/api/events/${'a'.repeat(300)}`, {
      token: service.adminToken,
    });
    assert.equal(longId.status, 400);
    const weirdId = await service.api.get(`/api/events/${encodeURIComponent('{"$gt":""}')}`, {
      token: service.adminToken,
    });
    assert.equal(weirdId.status, 404);
    // Bracketed keys are not parsed into operators: this is an unknown parameter, ignored.
    const operator = await service.api.get(`/api/events?subject[$ne]=${randomUUID()}`, {
      token: service.adminToken,
    });
    assert.equal(operator.status, 200);
    const repeated = await service.api.get('/api/events?subject=a&subject=b', {
      token: service.adminToken,
    });
    assert.equal(repeated.status, 400);
  });

  it('When an admin lists the log, then filters and the cursor select exactly the matching events, newest first', async () => {
    const subject = randomUUID();
    const ids: string[] = [];
    for (let index = 0; index < 3; index += 1) {
      const response = await service.api.post('/api/events', deleted(subject), {
        token: publisherToken,
      });
      ids.push(String(response.body['id']));
      await fannedOut(ids.at(-1) as string);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query = `subject=${subject}&type=user.deleted,user.profile.updated&limit=2`;
      const page: { status: number; body: Record<string, unknown> } = await service.api.get(
        `/api/events?${query}${cursor === null ? '' : `&cursor=${cursor}`}`,
        { token: service.adminToken },
      );
      assert.equal(page.status, 200);
      seen.push(...(page.body['items'] as Array<{ id: string }>).map((item) => item.id));
      cursor = page.body['next_cursor'] as string | null;
    } while (cursor !== null);
    assert.deepEqual(seen, [...ids].reverse());

    const future = await service.api.get(
      `/api/events?subject=${subject}&from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
      { token: service.adminToken },
    );
    assert.deepEqual(future.body['items'], []);
    for (const query of ['cursor=nonsense', 'from=yesterday', 'limit=1000']) {
      const bad = await service.api.get(`/api/events?${query}`, { token: service.adminToken });
      assert.equal(bad.status, 400, query);
    }
    const missing = await service.api.get(`/api/events/${randomUUID()}`, {
      token: service.adminToken,
    });
    assert.equal(missing.status, 404);
    const notAdmin = await service.api.get('/api/events', { token: publisherToken });
    assert.equal(notAdmin.status, 403);
  });

  it('When an admin replays a time range to one subscription, then exactly its stored events in range go to that queue again', async () => {
    const notificationUrl = await environment.queueUrl(environment.queues.notification);
    const reportingUrl = await environment.queueUrl(environment.queues.reporting);
    // Drain what earlier tests fanned out.
    await readQueue(environment.sqs, notificationUrl, 1000, { maxPolls: 2 });
    await readQueue(environment.sqs, reportingUrl, 1000, { maxPolls: 2 });

    const from = new Date();
    const subject = randomUUID();
    const published = await service.api.post('/api/events', deleted(subject), {
      token: publisherToken,
    });
    const id = String(published.body['id']);
    await fannedOut(id);
    const to = new Date(Date.now() + 1);
    assert.deepEqual(
      (await readQueue(environment.sqs, notificationUrl, 1)).map((m) => m.event?.['id']),
      [id],
    );

    const replay = await service.api.post(
      '/api/events/replay',
      { subscription: 'notification-events', from: from.toISOString(), to: to.toISOString() },
      { token: service.adminToken },
    );
    assert.equal(replay.status, 200);
    assert.equal(replay.body['replayed'], 1);
    assert.equal(replay.body['truncated'], false);
    const again = await readQueue(environment.sqs, notificationUrl, 2, { maxPolls: 3 });
    assert.deepEqual(
      again.map((m) => m.event?.['id']),
      [id],
    );
    // Only the subscription named: reporting got its one copy at fan-out, none from the replay.
    assert.deepEqual(
      (await readQueue(environment.sqs, reportingUrl, 2, { maxPolls: 3 })).map(
        (m) => m.event?.['id'],
      ),
      [id],
    );

    // user-events subscribes to auth.user.registered only: nothing in this range is for it.
    const notWanted = await service.api.post(
      '/api/events/replay',
      { subscription: 'user-events', from: from.toISOString(), to: to.toISOString() },
      { token: service.adminToken },
    );
    assert.equal(notWanted.body['replayed'], 0);

    const unknown = await service.api.post(
      '/api/events/replay',
      { subscription: 'nobody', from: from.toISOString(), to: to.toISOString() },
      { token: service.adminToken },
    );
    assert.equal(unknown.status, 400);
    const backwards = await service.api.post(
      '/api/events/replay',
      { subscription: 'notification-events', from: to.toISOString(), to: from.toISOString() },
      { token: service.adminToken },
    );
    assert.equal(backwards.status, 400);
  });

  it('When metrics are scraped, then events by type, fan-out lag and dead-letter depth are there', async () => {
    const response = await service.api.get('/metrics', { unchecked: true });
    assert.equal(response.status, 200);
    assert.match(response.text, /events_ingested_total\{[^}]*type="user.deleted"[^}]*\} [1-9]/);
    assert.match(
      response.text,
      /event_fanout_lag_seconds_count\{[^}]*subscription="notification-events"[^}]*\} [1-9]/,
    );
    assert.match(
      response.text,
      new RegExp(`event_dead_letter_depth\\{[^}]*queue="${environment.queues.user}-dlq"[^}]*\\} 0`),
    );
  });
});

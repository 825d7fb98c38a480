// The SQS endpoint gone for 30 s: requests keep working, the producers' outboxes (auth in
// PostgreSQL, user inside its MongoDB documents) hold the events, and once the endpoint is back
// they drain and every event arrives (one welcome email per registration).
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { MongoClient } from 'mongodb';
import pg from 'pg';
import type { ReliabilityContext } from './support/reliability-context.ts';

const OUTAGE_MS = 30_000;
const REGISTRATIONS = 5;

async function pendingAuthEvents(c: ReliabilityContext): Promise<number> {
  const url = new URL(c.deps.env.PG_URL);
  url.pathname = `/${c.platform.names.databases.auth}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      'SELECT count(*) AS n FROM outbox WHERE published_at IS NULL',
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

async function pendingProfileEvents(
  c: ReliabilityContext,
  ids: readonly string[],
): Promise<number> {
  const mongo = new MongoClient(c.deps.env.MONGO_URL);
  try {
    const profiles = mongo
      .db(c.platform.names.databases.users)
      .collection<{ _id: string; _outbox?: unknown[] }>('profiles');
    const documents = await profiles.find({ _id: { $in: [...ids] } }).toArray();
    return documents.reduce((sum, document) => sum + (document._outbox?.length ?? 0), 0);
  } finally {
    await mongo.close();
  }
}

/** Declares the SQS-outage spec. */
export function sqsOutageSpecs(context: () => ReliabilityContext): void {
  describe('SQS endpoint gone for 30 s', function () {
    this.timeout(180_000);

    it('When SQS is unreachable for 30 s, then registrations and profile updates still succeed, the outboxes hold their events, and they drain into one welcome email each when it returns', async function () {
      const c = context();
      const mail = c.platform.mail;
      assert.ok(mail);
      await c.deps.sqs.cut();
      const cutAt = Date.now();
      let emails: string[] = [];
      try {
        const registered = await Promise.all(
          Array.from({ length: REGISTRATIONS }, () => c.register('nosqs')),
        );
        assert.deepEqual(
          registered.map((r) => r.status),
          Array(REGISTRATIONS).fill(201),
          'registrations during the outage',
        );
        emails = registered.map((r) => r.email);
        for (const user of c.users) {
          const update = await c.api.patch(
            '/api/users/me',
            { displayName: 'during the SQS outage' },
            { token: user.token },
          );
          assert.equal(update.status, 200, update.text);
        }
        // Give the relays time to try (and fail) to publish.
        await sleep(3000);
        const heldByAuth = await pendingAuthEvents(c);
        const heldByUser = await pendingProfileEvents(
          c,
          c.users.map((u) => u.id),
        );
        console.log(
          `      during the outage: auth's outbox holds ${heldByAuth} events, user's ${heldByUser}`,
        );
        assert.ok(
          heldByAuth >= REGISTRATIONS,
          `auth's outbox holds the registrations (${heldByAuth})`,
        );
        assert.ok(
          heldByUser >= c.users.length,
          `the profiles hold their update events (${heldByUser})`,
        );
        assert.deepEqual(
          emails.filter((email) => mail.to(email).length > 0),
          [],
          'nothing got through',
        );
        await sleep(Math.max(0, OUTAGE_MS - (Date.now() - cutAt)));
      } finally {
        await c.deps.sqs.restore();
      }

      const deadline = Date.now() + 120_000;
      const missing = () => emails.filter((email) => mail.to(email).length === 0);
      while (missing().length > 0 && Date.now() < deadline) await sleep(500);
      assert.deepEqual(missing(), [], 'welcome emails missing after SQS came back');
      for (const email of emails)
        assert.equal(new Set(mail.to(email).map((m) => m.messageId)).size, 1);
      const drainDeadline = Date.now() + 60_000;
      let left = await pendingAuthEvents(c);
      let leftInProfiles = await pendingProfileEvents(
        c,
        c.users.map((u) => u.id),
      );
      while ((left > 0 || leftInProfiles > 0) && Date.now() < drainDeadline) {
        await sleep(500);
        left = await pendingAuthEvents(c);
        leftInProfiles = await pendingProfileEvents(
          c,
          c.users.map((u) => u.id),
        );
      }
      assert.equal(left, 0, "auth's outbox drained");
      assert.equal(leftInProfiles, 0, "the profiles' outboxes drained");
    });
  });
}

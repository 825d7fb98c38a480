import assert from 'node:assert/strict';
import { loadDepsEnv, uniqueName } from '@shoal/testbed';
import { PassThrough } from 'node:stream';
import pg from 'pg';
import { createLogger } from '../../src/logger/logger.ts';
import { createCloudEvent } from '../../src/messaging/cloud-event.ts';
import type { CloudEvent } from '../../src/messaging/cloud-event.ts';
import { ensureQueues } from '../../src/messaging/ensure-queues.ts';
import { SqsPublisher } from '../../src/messaging/sqs-publisher.ts';
import { enqueueOutbox, ensureOutboxTable } from '../../src/outbox/pg-outbox.ts';
import { PgOutboxRelay } from '../../src/outbox/pg-outbox-relay.ts';
import type { PgOutboxRelayOptions } from '../../src/outbox/pg-outbox-relay.ts';
import { queueUrlResolver } from '../../src/outbox/queue-url-resolver.ts';
import { sqsClient, waitFor } from '../messaging/sqs-testbed.ts';
import { startTcpProxy } from '../messaging/tcp-proxy.ts';
import { drainIds, duplicates } from './queue-drain.ts';

function event(n: number): CloudEvent {
  return createCloudEvent({ type: 'io.shoal.test.v1', source: '/kit/outbox', data: { n } });
}

describe('outbox: PostgreSQL outbox and PgOutboxRelay against PostgreSQL and ElasticMQ', function () {
  this.timeout(60_000);
  const { PG_URL } = loadDepsEnv();
  const pool = new pg.Pool({ connectionString: PG_URL, max: 10 });
  const sqs = sqsClient();
  const publisher = new SqsPublisher({ client: sqs, batchRetryDelayMs: 10 });
  const tables: string[] = [];
  const relays: PgOutboxRelay[] = [];

  afterEach(async () => {
    await Promise.all(relays.splice(0).map((relay) => relay.stop()));
  });

  after(async () => {
    for (const table of tables) await pool.query(`DROP TABLE IF EXISTS ${table}`);
    await pool.end();
    sqs.destroy();
  });

  /** A fresh outbox table and a fresh queue for one test. */
  async function fixture() {
    const table = uniqueName('outbox', '_');
    tables.push(table);
    await ensureOutboxTable(pool, { table });
    const queue = uniqueName('outbox');
    const urls = await ensureQueues(sqs, [{ name: queue }]);
    return { table, queue, queueUrl: urls[queue] as string };
  }

  function relay(
    options: Omit<PgOutboxRelayOptions, 'pool' | 'publisher' | 'resolveQueueUrl'> &
      Partial<PgOutboxRelayOptions>,
  ) {
    const r = new PgOutboxRelay({
      pool,
      publisher,
      resolveQueueUrl: queueUrlResolver(sqs),
      pollIntervalMs: 50,
      ...options,
    });
    relays.push(r);
    r.start();
    return r;
  }

  /** Runs `work` in one transaction on its own client, committing or rolling back. */
  async function inTransaction(work: (client: pg.PoolClient) => Promise<void>, commit = true) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query(commit ? 'COMMIT' : 'ROLLBACK');
    } finally {
      client.release();
    }
  }

  async function pendingCount(table: string): Promise<number> {
    const { rows } = await pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${table} WHERE published_at IS NULL`,
    );
    return Number(rows[0]?.n);
  }

  it('When ensureOutboxTable runs concurrently and again, then it succeeds every time', async () => {
    const table = uniqueName('outbox', '_');
    tables.push(table);
    await Promise.all([ensureOutboxTable(pool, { table }), ensureOutboxTable(pool, { table })]);
    await ensureOutboxTable(pool, { table });
    const { rows } = await pool.query<{ column_name: string }>(
      'SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position',
      [table],
    );
    assert.deepEqual(
      rows.map((r) => r.column_name),
      [
        'seq',
        'id',
        'queue',
        'payload',
        'created_at',
        'published_at',
        'attempts',
        'next_attempt_at',
        'last_error',
      ],
    );
  });

  it('When the transaction rolls back, then nothing is enqueued; when it commits, the relay publishes it', async () => {
    const { table, queue, queueUrl } = await fixture();
    await inTransaction(async (client) => {
      await client.query('SELECT 1');
      await enqueueOutbox(client, [{ queue, event: event(0) }], { table });
    }, false);
    assert.equal(await pendingCount(table), 0);

    const sent = [event(1), event(2)];
    await inTransaction((client) =>
      enqueueOutbox(
        client,
        sent.map((e) => ({ queue, event: e })),
        { table },
      ),
    );
    assert.equal(await pendingCount(table), 2);

    const r = relay({ table });
    const arrivals = await drainIds(sqs, queueUrl, new Set(sent.map((e) => e.id)));
    assert.deepEqual([...arrivals.keys()].sort(), sent.map((e) => e.id).sort());
    await waitFor(() => r.stats.published === 2);
    const { rows } = await pool.query<{ published_at: Date | null; attempts: number }>(
      `SELECT published_at, attempts FROM ${table}`,
    );
    assert.ok(rows.every((row) => row.published_at !== null && row.attempts === 1));
  });

  it('When two relays share the table, then every one of 200 events is published once (SKIP LOCKED)', async () => {
    const { table, queue, queueUrl } = await fixture();
    const sent: CloudEvent[] = [];
    for (let tx = 0; tx < 20; tx++) {
      const batch = Array.from({ length: 10 }, (_, i) => event(tx * 10 + i));
      sent.push(...batch);
      await inTransaction((client) =>
        enqueueOutbox(
          client,
          batch.map((e) => ({ queue, event: e })),
          { table },
        ),
      );
    }
    const a = relay({ table, batchSize: 7 });
    const b = relay({ table, batchSize: 7 });
    const arrivals = await drainIds(sqs, queueUrl, new Set(sent.map((e) => e.id)));
    const missing = sent.filter((e) => !arrivals.has(e.id));
    assert.deepEqual(missing, [], `${missing.length} events lost`);
    console.log(
      `      [pg outbox] 200 events, ${duplicates(arrivals)} duplicates; relay A published ${a.stats.published}, relay B ${b.stats.published}`,
    );
    assert.equal(duplicates(arrivals), 0);
    assert.equal(await pendingCount(table), 0);
  });

  it('When SQS is unreachable, then events stay pending with the error recorded, and go out once it is back', async () => {
    const { table, queue, queueUrl } = await fixture();
    const proxy = await startTcpProxy(new URL(queueUrl).origin);
    const proxied = sqsClient(`http://127.0.0.1:${proxy.port}`);
    try {
      await proxy.down();
      const sent = [event(1), event(2), event(3)];
      await inTransaction((client) =>
        enqueueOutbox(
          client,
          sent.map((e) => ({ queue, event: e })),
          { table },
        ),
      );
      const r = relay({
        table,
        publisher: new SqsPublisher({ client: proxied, batchRetries: 0 }),
        resolveQueueUrl: queueUrlResolver(proxied),
        retryBaseDelayMs: 50,
        retryMaxDelayMs: 200,
      });
      await waitFor(() => r.stats.failed >= 6, 20_000, 'two failed rounds');
      const { rows } = await pool.query<{ attempts: number; last_error: string | null }>(
        `SELECT attempts, last_error FROM ${table} WHERE published_at IS NULL`,
      );
      assert.equal(rows.length, 3);
      assert.ok(rows.every((row) => row.attempts >= 2 && (row.last_error ?? '') !== ''));

      await proxy.up();
      const arrivals = await drainIds(sqs, queueUrl, new Set(sent.map((e) => e.id)));
      assert.deepEqual([...arrivals.keys()].sort(), sent.map((e) => e.id).sort());
      await waitFor(() => r.stats.published === 3);
      assert.equal(await pendingCount(table), 0);
    } finally {
      await proxy.close();
      proxied.destroy();
    }
  });

  it('When a commit NOTIFYs, then a relay that would poll only every 10 minutes publishes at once', async () => {
    const { table, queue, queueUrl } = await fixture();
    const r = relay({ table, pollIntervalMs: 600_000 });
    // Enqueue only once the relay LISTENs and its first round is over, so only NOTIFY can wake it.
    await waitFor(() => r.stats.rounds >= 1, 10_000, 'the first round');
    const { rows } = await pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE query = $1`,
      [`LISTEN ${table}_pending`],
    );
    assert.equal(Number(rows[0]?.n), 1, 'the relay should hold one LISTEN session');
    const sent = event(1);
    await inTransaction((client) => enqueueOutbox(client, [{ queue, event: sent }], { table }));
    const arrivals = await drainIds(sqs, queueUrl, new Set([sent.id]), 15_000);
    assert.equal(arrivals.get(sent.id), 1);
    assert.equal(r.stats.published, 1);
  });

  it('When deletePublished is set, then published rows are removed', async () => {
    const { table, queue, queueUrl } = await fixture();
    const sent = event(1);
    await inTransaction((client) => enqueueOutbox(client, [{ queue, event: sent }], { table }));
    const r = relay({ table, deletePublished: true, listen: false });
    await drainIds(sqs, queueUrl, new Set([sent.id]));
    await waitFor(() => r.stats.published === 1);
    const { rows } = await pool.query(`SELECT 1 FROM ${table}`);
    assert.equal(rows.length, 0);
  });

  it('When the relay starts before its table exists, then it logs, keeps retrying and publishes once the table is there', async () => {
    const table = uniqueName('outbox', '_');
    tables.push(table);
    const queue = uniqueName('outbox');
    const queueUrl = (await ensureQueues(sqs, [{ name: queue }]))[queue] as string;
    const lines: string[] = [];
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(chunk.toString()));
    const r = relay({ table, logger: createLogger({ service: 'test', stream }) });
    await waitFor(
      () => lines.some((line) => line.includes('outbox relay round failed')),
      10_000,
      'a logged failure',
    );
    assert.match(lines.find((line) => line.includes('round failed')) ?? '', /does not exist/);

    await ensureOutboxTable(pool, { table });
    const sent = event(1);
    await inTransaction((client) => enqueueOutbox(client, [{ queue, event: sent }], { table }));
    const arrivals = await drainIds(sqs, queueUrl, new Set([sent.id]));
    assert.equal(arrivals.get(sent.id), 1);
    await waitFor(() => r.stats.published === 1);
  });

  it('When published rows are older than the retention, then the relay purges them', async () => {
    const { table, queue, queueUrl } = await fixture();
    const sent = event(1);
    await inTransaction((client) => enqueueOutbox(client, [{ queue, event: sent }], { table }));
    const r = relay({ table, retainPublishedMs: 0, listen: false });
    await drainIds(sqs, queueUrl, new Set([sent.id]));
    await waitFor(() => r.stats.rounds >= 1);
    const { rows } = await pool.query(`SELECT 1 FROM ${table}`);
    assert.equal(rows.length, 0);
  });

  it('When inputs are invalid, then the outbox refuses them clearly', async () => {
    await assert.rejects(
      ensureOutboxTable(pool, { table: 'outbox; DROP TABLE x' }),
      /plain lower-case identifier/,
    );
    await assert.rejects(enqueueOutbox(pool, [{ queue: '', event: event(1) }]), /needs a queue/);
    await assert.rejects(
      enqueueOutbox(pool, [{ queue: 'q', event: { ...event(1), id: '' } }]),
      /needs an id/,
    );
    await enqueueOutbox(pool, []); // nothing to write, nothing written
    assert.throws(
      () =>
        new PgOutboxRelay({
          pool,
          publisher,
          resolveQueueUrl: queueUrlResolver(sqs),
          batchSize: 0,
        }),
      /batchSize/,
    );
    const tiny = new pg.Pool({ connectionString: PG_URL, max: 1 });
    assert.throws(
      () => new PgOutboxRelay({ pool: tiny, publisher, resolveQueueUrl: queueUrlResolver(sqs) }),
      /max >= 2/,
    );
    await tiny.end();
  });
});

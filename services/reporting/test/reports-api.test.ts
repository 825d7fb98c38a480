import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { eventAt, loggedIn, notification, registered } from './support/events.ts';
import { createTestEnvironment, startReporting } from './support/reporting-under-test.ts';
import type { ReportingUnderTest, TestEnvironment } from './support/reporting-under-test.ts';

/** A webhook type the sender chose: a comma, quotes and a line break, which CSV must quote. */
const AWKWARD_TYPE = 'integration.acme.order,"placed"\r\nnow';

describe('the reports API: admin only, validated, JSON and RFC 4180 CSV', () => {
  let environment: TestEnvironment;
  let reporting: ReportingUnderTest;
  let admin: string;

  before(async () => {
    environment = await createTestEnvironment();
    reporting = await startReporting(environment);
    admin = reporting.adminToken;
    const [ann, ben] = [randomUUID(), randomUUID()];
    const events = [
      registered(ann, '2026-05-01T10:00:00Z'),
      registered(ben, '2026-05-02T11:00:00Z'),
      loggedIn(ann, '2026-05-02T11:30:00Z'),
      loggedIn(ben, '2026-05-03T00:00:00Z'),
      notification('sent', ann, '2026-05-01T10:01:00Z'),
      notification('failed', ben, '2026-05-02T11:01:00Z'),
      eventAt(AWKWARD_TYPE, '2026-05-02T12:00:00Z', { order: 1 }),
      eventAt(AWKWARD_TYPE, '2026-05-03T12:00:00Z', { order: 2 }),
    ];
    await environment.sendEvents(events);
    await reporting.handled(events.length);
  });
  after(async () => {
    await reporting?.stop();
    await environment?.dispose();
  });

  describe('access', () => {
    for (const path of [
      '/api/reports/summary',
      '/api/reports/timeseries?metric=events',
      '/api/reports/events-by-type',
    ]) {
      it(`When ${path} is asked without a token, then 401 with a Bearer challenge`, async () => {
        const response = await reporting.api.get(path);
        assert.equal(response.status, 401);
        assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer/);
        assert.match(response.headers.get('content-type') ?? '', /^application\/problem\+json/);
      });

      it(`When ${path} is asked by a user who is not an admin, then 403`, async () => {
        const token = environment.tokens.token({ roles: ['user'] });
        const response = await reporting.api.get(path, { token });
        assert.equal(response.status, 403);
      });
    }

    it('When a token is signed by another key, then 401', async () => {
      const response = await reporting.api.get('/api/reports/summary', {
        headers: { authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl' },
      });
      assert.equal(response.status, 401);
    });
  });

  describe('validation', () => {
    const cases: [string, string][] = [
      ['/api/reports/timeseries?metric=revenue', 'metric'],
      ['/api/reports/timeseries', 'metric'],
      ['/api/reports/timeseries?metric=events&interval=week', 'interval'],
      ['/api/reports/timeseries?metric=events&from=yesterday', 'from'],
      ['/api/reports/timeseries?metric=events&to=2026-13-01', 'to'],
      ['/api/reports/timeseries?metric=events&from=2026-05-02&to=2026-05-01', 'from'],
      ['/api/reports/timeseries?metric=events&from=2026-05-01&to=2026-05-01', 'from'],
      ['/api/reports/timeseries?metric=events&metric=logins', 'metric'],
      ['/api/reports/timeseries?metric=events&colour=red', 'colour'],
      ['/api/reports/summary?from=2026-05-01T10:00:00', 'from'],
      ['/api/reports/events-by-type?to=soon', 'to'],
    ];
    for (const [path, parameter] of cases) {
      it(`When ${path.replace('/api/reports/', '')} is asked, then 400 naming ${parameter}`, async () => {
        const response = await reporting.api.get<{ errors: { path: string }[] }>(path, {
          token: admin,
        });
        assert.equal(response.status, 400);
        assert.deepEqual(
          response.body.errors.map((error) => error.path),
          [parameter],
        );
      });
    }

    it('When a time series would have more buckets than allowed, then 400 naming the range', async () => {
      const response = await reporting.api.get<{ errors: { path: string }[]; detail: string }>(
        '/api/reports/timeseries?metric=events&interval=hour&from=2026-01-01&to=2026-05-01',
        { token: admin },
      );
      assert.equal(response.status, 400);
      assert.deepEqual(response.body.errors[0]?.path, 'to');
      assert.match(response.body.detail, /2880 hour buckets; at most 1000/);
    });

    it('When the client accepts neither JSON nor CSV, then 406', async () => {
      const response = await reporting.api.get('/api/reports/summary', {
        token: admin,
        headers: { accept: 'application/xml' },
      });
      assert.equal(response.status, 406);
    });
  });

  describe('CSV', () => {
    const csv = { token: '', headers: { accept: 'text/csv' } };
    before(() => {
      csv.token = admin;
    });

    it('When a time series is asked as CSV, then it parses back to the same buckets and numbers as the JSON', async () => {
      const path =
        '/api/reports/timeseries?metric=active_users&interval=day&from=2026-04-30&to=2026-05-04';
      const json = await reporting.api.get<{ points: { bucket: string; value: number }[] }>(path, {
        token: admin,
      });
      const response = await reporting.api.get(path, csv);
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/csv; charset=utf-8/);
      assert.ok(response.text.endsWith('\r\n'));
      assert.ok(!/[^\r]\n/.test(response.text), 'every line ends in CRLF');
      const rows = parse<Record<string, string>>(response.text, {
        columns: true,
        record_delimiter: '\r\n',
      });
      assert.deepEqual(
        rows.map((row) => ({ bucket: row['bucket'], value: Number(row['active_users']) })),
        json.body.points,
      );
      assert.deepEqual(
        json.body.points.map((point) => point.value),
        [0, 1, 2, 1],
      );
    });

    it('When the summary is asked as CSV, then its one row parses back to the JSON totals', async () => {
      const json = await reporting.api.get<{ totals: Record<string, number> }>(
        '/api/reports/summary?from=2026-05-01&to=2026-05-03',
        { token: admin },
      );
      const response = await reporting.api.get(
        '/api/reports/summary?from=2026-05-01&to=2026-05-03',
        csv,
      );
      const rows = parse<Record<string, string>>(response.text, { columns: true });
      assert.equal(rows.length, 1);
      const { from, to, ...totals } = rows[0] as Record<string, string>;
      assert.equal(from, '2026-05-01T00:00:00.000Z');
      assert.equal(to, '2026-05-03T00:00:00.000Z');
      assert.deepEqual(
        Object.fromEntries(Object.entries(totals).map(([key, value]) => [key, Number(value)])),
        json.body.totals,
      );
      assert.deepEqual(json.body.totals, {
        events: 6,
        signups: 2,
        logins: 1,
        active_users: 2,
        notifications_sent: 1,
        notifications_failed: 1,
      });
    });

    it('When event types hold commas, quotes and line breaks, then the CSV quotes them and they parse back intact', async () => {
      const json = await reporting.api.get<{ types: { type: string; count: number }[] }>(
        '/api/reports/events-by-type',
        { token: admin },
      );
      const response = await reporting.api.get('/api/reports/events-by-type', csv);
      assert.ok(response.text.includes('"integration.acme.order,""placed""\r\nnow",2\r\n'));
      const rows = parse<{ type: string; count: string }>(response.text, { columns: true });
      assert.deepEqual(
        rows.map((row) => ({ type: row.type, count: Number(row.count) })),
        json.body.types,
      );
      assert.deepEqual(
        json.body.types.find((row) => row.type === AWKWARD_TYPE),
        { type: AWKWARD_TYPE, count: 2 },
      );
    });
  });

  it('When the signing keys cannot be fetched, then 503 with Retry-After, not a 401', async () => {
    // Port 9 (discard) answers nothing: the JWKS is unreachable.
    const blind = await startReporting(environment, {
      AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
      SERVICE_NAME: 'reporting-blind',
    });
    try {
      const response = await blind.api.get('/api/reports/summary', { token: admin });
      assert.equal(response.status, 503);
      assert.match(response.headers.get('retry-after') ?? '', /^[0-9]+$/);
    } finally {
      await blind.stop();
    }
  });

  it('When the OpenAPI document is asked, then it is served as JSON', async () => {
    const response = await reporting.api.get<{ openapi: string }>('/api/reports/openapi.json');
    assert.equal(response.status, 200);
    assert.equal(response.body.openapi, '3.1.0');
  });
});

// One person's way through the platform, through the gateway only: register, log in, read
// and update the profile, receive the welcome email (real SMTP) and the inbox item, a partner
// system posts a signed webhook about them, and an admin sees it all in the reports. The
// registration's trace is followed from the gateway through SQS to the consumers in Jaeger.
// The same steps run against every target: the local platform (user-journey.test.ts) and the
// kind cluster (kind/journey).
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { WEBHOOK_SOURCE } from '../src/index.ts';
import type { TraceReader } from '../src/tracing/jaeger-query.ts';
import { eventually, newTraceparent } from './support/gateway-client.ts';
import type { GatewayClient } from './support/gateway-client.ts';
import { Missing } from './support/journey-target.ts';
import type { JourneyTarget, ReportCounts } from './support/journey-target.ts';
import type { MailReader } from './support/mail-reader.ts';
import { pendingBecause } from './support/pending.ts';

interface Notification {
  id: string;
  eventType: string;
  template: string;
  title: string;
  readAt: string | null;
}

/** How the journey is run. */
export interface JourneyOptions {
  /** Mocha timeout of the suite (hooks included). */
  readonly timeoutMs: number;
}

/** `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: how a partner signs a webhook. */
function signature(secret: string, body: string): string {
  const timestamp = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

/** Whether a message is a welcome email. */
const isWelcome = (mail: { subject: string; text: string }) =>
  /welcome/i.test(mail.subject + mail.text);

/** Defines the journey as a mocha suite named `title` on the target `connect` gives. */
export function describeUserJourney(
  title: string,
  connect: () => Promise<JourneyTarget>,
  options: JourneyOptions,
): void {
  describe(title, function () {
    this.timeout(options.timeoutMs);

    let target: JourneyTarget;
    let api: GatewayClient;
    const email = `journey-${randomBytes(4).toString('hex')}@example.com`;
    const password = 'a long journey password';
    const registration = newTraceparent();
    let userId: string;
    let token: string;
    let adminToken: string;
    let baseline: ReportCounts;
    let started = 0;
    let steps = 0;
    let passed = 0;

    /** The mail reader, or the step is pending with the reason. */
    const mail = (context: Mocha.Context): MailReader => {
      if (target.mail instanceof Missing) pendingBecause(context, target.mail.reason);
      return target.mail;
    };
    const traces = (context: Mocha.Context): TraceReader => {
      if (target.traces instanceof Missing) pendingBecause(context, target.traces.reason);
      return target.traces;
    };
    const adminLogin = async (): Promise<string> => {
      const login = await api.post('/api/auth/login', {
        email: target.admin.email,
        password: target.admin.password,
      });
      assert.equal(login.status, 200, `the admin logs in on ${target.description}: ${login.text}`);
      return String(login.body['access_token']);
    };

    before(async function () {
      target = await connect();
      api = target.api;
      adminToken = await adminLogin();
      baseline = await target.reportsBefore(adminToken);
      started = performance.now();
    });

    afterEach(function () {
      steps += 1;
      if (this.currentTest?.state === 'passed') passed += 1;
    });

    after(async function () {
      if (started > 0) {
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        console.log(
          `      journey on ${target.description}: ${passed} of ${steps} steps passed in ${seconds} s`,
        );
      }
      await target?.stop();
    });

    it('When the platform starts, then all five services run behind the gateway', function () {
      assert.deepEqual(
        [...target.services].sort(),
        ['auth', 'event', 'notification', 'reporting', 'user'],
        `every service of the platform runs behind the gateway on ${target.description}`,
      );
    });

    it('When a visitor registers, then auth creates the account (201)', async function () {
      const response = await api.post(
        '/api/auth/register',
        { email, password, name: 'Journey Person' },
        { headers: { traceparent: registration.traceparent } },
      );
      assert.equal(response.status, 201, response.text);
      assert.equal(response.body['email'], email);
      userId = String(response.body['id']);
    });

    it('When they log in, then they get a bearer token pair', async function () {
      const response = await api.post('/api/auth/login', { email, password });
      assert.equal(response.status, 200, response.text);
      assert.equal(response.body['token_type'], 'Bearer');
      token = String(response.body['access_token']);
      assert.ok(token.split('.').length === 3, 'a JWT');
    });

    it('When they read their profile, then the user service has made it from the registration', async function () {
      const profile = await eventually('the profile made from auth.user.registered', async () => {
        const response = await api.get('/api/users/me', { token });
        return response.status === 200 ? response.body : undefined;
      });
      assert.equal(profile['id'], userId);
    });

    it('When they update their profile, then the change is read back', async function () {
      const updated = await api.patch('/api/users/me', { displayName: 'Jo Journey' }, { token });
      assert.equal(updated.status, 200, updated.text);
      const read = await api.get('/api/users/me', { token });
      assert.equal(read.status, 200, read.text);
      assert.equal(read.body['displayName'], 'Jo Journey');
    });

    it('When the registration has crossed the queues, then exactly one welcome email reaches SMTP', async function () {
      const reader = mail(this);
      const welcome = await reader.waitFor(email, () => true, 60_000);
      assert.match(welcome.subject + welcome.text, /welcome/i);
      assert.equal((await reader.to(email)).filter(isWelcome).length, 1);
    });

    it('When they open their inbox, then the welcome item is there, unread', async function () {
      const welcome = await eventually('the welcome inbox item', async () => {
        const response = await api.get<{ items: Notification[] }>('/api/notifications', {
          token,
        });
        assert.equal(response.status, 200, response.text);
        return response.body.items.find((item) => item.eventType === 'auth.user.registered');
      });
      assert.equal(welcome.readAt, null);
      const read = await api.post(`/api/notifications/${welcome.id}/read`, undefined, { token });
      assert.ok(read.status === 200 || read.status === 204, read.text);
      const unread = await api.get<{ items: Notification[] }>('/api/notifications?unread=true', {
        token,
      });
      assert.equal(unread.body.items.filter((item) => item.id === welcome.id).length, 0);
    });

    it('When a partner posts an unsigned webhook, then the gateway lets it through and the hub refuses it (401)', async function () {
      const body = JSON.stringify({ id: 'unsigned-1', type: 'order.shipped', subject: userId });
      // No JWT either: the webhook route is public at the edge, the hub itself refuses it.
      const response = await api.post(`/api/events/webhooks/${WEBHOOK_SOURCE}`, undefined, {
        rawBody: body,
      });
      assert.equal(response.status, 401, response.text);
      assert.match(String(response.body['type']), /invalid-webhook-signature$/);
    });

    it('When the admin reads the reports, then the signup and the welcome email are counted', async function () {
      adminToken = await adminLogin();

      const forbidden = await api.get('/api/reports/summary', { token });
      assert.equal(forbidden.status, 403, 'a user is not an admin');

      const registered = 'auth.user.registered';
      const sent = 'notification.sent';
      const was = (name: string) => baseline.types[name] ?? 0;
      let lastSeen = '';
      const counted = await eventually(
        'every event of the journey in the reports',
        async () => {
          const response = await api.get<{ types: { type: string; count: number }[] }>(
            '/api/reports/events-by-type',
            { token: adminToken },
          );
          assert.equal(response.status, 200, response.text);
          lastSeen = JSON.stringify(response.body.types);
          const count = (name: string) =>
            response.body.types.find((t) => t.type === name)?.count ?? 0;
          return [registered, sent].every((name) => count(name) > was(name)) ? count : undefined;
        },
        // Polled once a second: the reports route allows 120 requests a minute per caller.
        60_000,
        1000,
      ).catch((error: unknown) => {
        throw new Error(
          `${(error as Error).message}; wanted more ${registered} and ${sent} than before the journey (${JSON.stringify(baseline.types)}); last: ${lastSeen}`,
        );
      });
      // The journey's own signup, counted once, on top of what there was before it.
      assert.equal(counted(registered), was(registered) + 1, `${registered}: ${lastSeen}`);

      const summary = await api.get<{ totals: Record<string, number> }>('/api/reports/summary', {
        token: adminToken,
      });
      assert.equal(summary.status, 200, summary.text);
      assert.equal(summary.body.totals['signups'], (baseline.totals['signups'] ?? 0) + 1);
      assert.ok(
        (summary.body.totals['notifications_sent'] ?? 0) >=
          (baseline.totals['notifications_sent'] ?? 0) + 1,
        `notifications_sent: before the journey ${baseline.totals['notifications_sent']}, now ${summary.body.totals['notifications_sent']}`,
      );
      // By now every copy of the registration has crossed the queues: still one welcome email.
      if (!(target.mail instanceof Missing)) {
        assert.equal((await target.mail.to(email)).filter(isWelcome).length, 1);
      }
    });

    it('When a partner posts a signed webhook about them, then it is accepted, they hear of it and the admin reports count it once', async function () {
      const secret = target.webhookSecrets[WEBHOOK_SOURCE];
      assert.ok(
        secret,
        `the event hub has an HMAC secret for webhook source "${WEBHOOK_SOURCE}" on ${target.description}`,
      );
      const body = JSON.stringify({
        id: `delivery-${randomBytes(4).toString('hex')}`,
        type: 'order.shipped',
        subject: userId,
        data: { order: 'A-1' },
      });
      const headers = { 'x-shoal-signature': signature(secret, body) };
      const accepted = await api.post(`/api/events/webhooks/${WEBHOOK_SOURCE}`, undefined, {
        rawBody: body,
        headers,
      });
      assert.equal(accepted.status, 202, accepted.text);
      assert.equal(accepted.body['duplicate'], false);
      const replay = await api.post(`/api/events/webhooks/${WEBHOOK_SOURCE}`, undefined, {
        rawBody: body,
        headers,
      });
      // The hub answers "duplicate" once the first delivery is in its event log; a replay that
      // arrives while the first is still queued is accepted again and dropped downstream by id.
      assert.ok(
        (replay.status === 200 && replay.body['duplicate'] === true) ||
          (replay.status === 202 && replay.body['duplicate'] === false),
        `replay: ${replay.status} ${replay.text}`,
      );
      assert.equal(replay.body['id'], accepted.body['id'], 'the replay names the same event');

      const type = `integration.${WEBHOOK_SOURCE}.order.shipped`;
      await eventually('the integration inbox item', async () => {
        const response = await api.get<{ items: Notification[] }>('/api/notifications', {
          token,
        });
        return response.body.items.find((item) => item.eventType === type);
      });
      const counted = await eventually(
        'the webhook in the reports',
        async () => {
          const response = await api.get<{ types: { type: string; count: number }[] }>(
            '/api/reports/events-by-type',
            { token: adminToken },
          );
          const count = response.body.types.find((t) => t.type === type)?.count ?? 0;
          return count > (baseline.types[type] ?? 0) ? count : undefined;
        },
        60_000,
        1000,
      );
      assert.equal(
        counted,
        (baseline.types[type] ?? 0) + 1,
        'the replayed webhook is not counted twice',
      );
    });

    it('When the admin publishes an event with a trace context, then one trace spans gateway -> event API -> SQS -> event hub -> consumers', async function () {
      const jaeger = traces(this);
      const traced = newTraceparent();
      const published = await api.post(
        '/api/events',
        { type: 'integration.journey.traced', subject: userId, data: { step: 'trace' } },
        { token: adminToken, headers: { traceparent: traced.traceparent } },
      );
      assert.equal(published.status, 202, published.text);

      const serviceNames = (trace: { spans: readonly { serviceName: string }[] }) =>
        new Set(trace.spans.map((span) => span.serviceName));
      const trace = await jaeger.waitForTrace(
        traced.traceId,
        (found) =>
          ['gateway', 'event', 'notification', 'reporting'].every((name) =>
            serviceNames(found).has(name),
          ),
        60_000,
      );
      const describe = trace.spans.map((s) => `${s.serviceName}:${s.operationName}`).join(', ');
      const gatewaySpan = trace.spans.find((span) => span.serviceName === 'gateway');
      assert.ok(gatewaySpan, describe);
      assert.ok(
        !gatewaySpan.references?.some(
          (ref) => ref.refType === 'CHILD_OF' && ref.traceID !== traced.traceId,
        ),
        "the gateway continued the caller's trace",
      );
      // The hops over SQS are messaging spans: the hub consuming the ingest queue, and the
      // subscribers consuming their queues, all children in this one trace.
      const messaging = (service: string) =>
        trace.spans.some(
          (span) =>
            span.serviceName === service &&
            span.tags.some((tag) => tag.key.startsWith('messaging.')),
        );
      assert.ok(
        messaging('event'),
        `the event hub consumed it from SQS in this trace: ${describe}`,
      );
      assert.ok(
        messaging('notification') || messaging('reporting'),
        `a subscriber consumed it from SQS in this trace: ${describe}`,
      );
    });

    it("When a visitor registered with a trace context, then that trace follows auth's outbox over SQS through the event hub to the welcome email", async function () {
      const jaeger = traces(this);
      // The event is published by auth's outbox relay after the request ended; it carries the
      // trace it was made in (CloudEvents traceparent), so the consumers still join this trace.
      const serviceNames = (found: { spans: readonly { serviceName: string }[] }) =>
        new Set(found.spans.map((span) => span.serviceName));
      const trace = await jaeger.waitForTrace(
        registration.traceId,
        (found) =>
          ['gateway', 'auth', 'event', 'notification'].every((name) =>
            serviceNames(found).has(name),
          ),
        60_000,
      );
      const describe = trace.spans.map((s) => `${s.serviceName}:${s.operationName}`).join(', ');
      const consumed = (service: string) =>
        trace.spans.some(
          (span) =>
            span.serviceName === service &&
            span.tags.some(
              (tag) => tag.key === 'messaging.operation.type' && tag.value === 'process',
            ),
        );
      assert.ok(consumed('event'), `the event hub consumed the registration: ${describe}`);
      assert.ok(consumed('notification'), `notification consumed the registration: ${describe}`);
    });
  });
}

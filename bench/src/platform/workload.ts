// The soak's mixed workload through the gateway, as API consumers and a partner system call
// it: logins, profile reads and writes by a pool of registered users, and signed webhooks.
import { createHmac, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

/** The routes of the mix, with their share of the requests (they sum to 1). */
export const ROUTE_MIX = [
  { route: 'login', share: 0.2 },
  { route: 'profile-read', share: 0.4 },
  { route: 'profile-write', share: 0.2 },
  { route: 'webhook', share: 0.2 },
] as const;

/** A route of the mix. */
export type SoakRoute = (typeof ROUTE_MIX)[number]['route'];

/** A registered user of the pool with its latest access token. */
export interface PoolUser {
  readonly email: string;
  readonly password: string;
  token: string;
}

/** What one request came to: the expected status or a description of what went wrong. */
export interface Outcome {
  readonly ok: boolean;
  /**
   * A 409 of a profile write: two writes of one profile overlapped and the user service's
   * optimistic check refused one, as documented. Counted apart from errors.
   */
  readonly conflict: boolean;
  readonly detail: string;
}

const REQUEST_TIMEOUT_MS = 10_000;
const PASSWORD = 'a long soak password';

/** The route of request `index`: a deterministic interleaving of the mix (every 10 requests hold 2/4/2/2). */
export function routeFor(index: number): SoakRoute {
  const slot = (index % 10) / 10;
  let cumulative = 0;
  for (const { route, share } of ROUTE_MIX) {
    cumulative += share;
    if (slot < cumulative - 1e-9) return route;
  }
  return 'webhook';
}

/** `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: how a partner signs a webhook. */
export function webhookSignature(secret: string, body: string): string {
  const timestamp = Math.floor(Date.now() / 1000);
  const v1 = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${v1}`;
}

/** Sends one JSON request; resolves to the status and body text (a network failure or timeout throws). */
async function send(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: string; token?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: options.body,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return { status: response.status, text: await response.text() };
}

function outcome(result: { status: number; text: string }, expected: number): Outcome {
  return result.status === expected
    ? { ok: true, conflict: false, detail: String(result.status) }
    : {
        ok: false,
        conflict: result.status === 409,
        detail: `${result.status} ${result.text.slice(0, 160)}`,
      };
}

/** The workload against one gateway: registers the pool, then runs single requests of the mix. */
export class SoakWorkload {
  readonly #baseUrl: string;
  readonly #webhookSource: string;
  readonly #webhookSecret: string;
  readonly #users: PoolUser[] = [];
  /** Per route, how many requests it has sent: each route walks the pool round-robin. */
  readonly #sentPerRoute = new Map<SoakRoute, number>();

  constructor(baseUrl: string, webhookSource: string, webhookSecret: string) {
    this.#baseUrl = baseUrl;
    this.#webhookSource = webhookSource;
    this.#webhookSecret = webhookSecret;
  }

  /** Registers `size` users, logs them in and waits until the user service has each profile. */
  async registerPool(size: number): Promise<void> {
    const tag = randomBytes(3).toString('hex');
    for (let i = 0; i < size; i++) {
      const email = `soak-${tag}-${i}@example.com`;
      const body = JSON.stringify({ email, password: PASSWORD, name: `Soak ${i}` });
      const registered = await send(this.#baseUrl, 'POST', '/api/auth/register', { body });
      if (registered.status !== 201)
        throw new Error(`register ${email}: ${registered.status} ${registered.text}`);
      const user: PoolUser = { email, password: PASSWORD, token: '' };
      user.token = await this.#login(user);
      this.#users.push(user);
    }
    // Profiles come from auth.user.registered crossing SQS: wait for every one (bounded).
    const deadline = Date.now() + 60_000;
    for (const user of this.#users) {
      for (;;) {
        const read = await send(this.#baseUrl, 'GET', '/api/users/me', { token: user.token });
        if (read.status === 200) break;
        if (Date.now() > deadline)
          throw new Error(`profile of ${user.email} never appeared: ${read.status}`);
        await sleep(250);
      }
    }
  }

  async #login(user: PoolUser): Promise<string> {
    const body = JSON.stringify({ email: user.email, password: user.password });
    const result = await send(this.#baseUrl, 'POST', '/api/auth/login', { body });
    if (result.status !== 200)
      throw new Error(`login ${user.email}: ${result.status} ${result.text}`);
    return String((JSON.parse(result.text) as { access_token: unknown }).access_token);
  }

  /** Runs request `index` of the mix (its route from routeFor) and says how it went. */
  async run(route: SoakRoute, index: number): Promise<Outcome> {
    // Round-robin per route (not by index: with the mix's period of 10, index % 20 would send
    // every write to the same 4 users and make them overwrite each other).
    const nth = this.#sentPerRoute.get(route) ?? 0;
    this.#sentPerRoute.set(route, nth + 1);
    const user = this.#users[nth % this.#users.length];
    if (user === undefined) throw new Error('SoakWorkload.run before registerPool');
    switch (route) {
      case 'login': {
        const body = JSON.stringify({ email: user.email, password: user.password });
        const result = await send(this.#baseUrl, 'POST', '/api/auth/login', { body });
        // A fresh token for later requests: the pool never runs on an expired one.
        if (result.status === 200)
          user.token = String((JSON.parse(result.text) as { access_token: unknown }).access_token);
        return outcome(result, 200);
      }
      case 'profile-read':
        return outcome(
          await send(this.#baseUrl, 'GET', '/api/users/me', { token: user.token }),
          200,
        );
      case 'profile-write': {
        const body = JSON.stringify({ displayName: `Soak ${index}` });
        return outcome(
          await send(this.#baseUrl, 'PATCH', '/api/users/me', { body, token: user.token }),
          200,
        );
      }
      case 'webhook': {
        const body = JSON.stringify({
          id: `soak-${index}-${randomBytes(4).toString('hex')}`,
          type: 'order.shipped',
          subject: user.email,
          data: { order: `S-${index}` },
        });
        const headers = { 'x-shoal-signature': webhookSignature(this.#webhookSecret, body) };
        return outcome(
          await send(this.#baseUrl, 'POST', `/api/events/webhooks/${this.#webhookSource}`, {
            body,
            headers,
          }),
          202,
        );
      }
    }
  }
}

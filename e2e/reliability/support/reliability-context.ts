// The platform the reliability suite breaks: its own data servers (private-deps.ts), two
// instances of every service and of the gateway, no rate limits (the load comes from one
// address), and short consumer leases so a killed consumer's work is taken over quickly.
import { randomBytes } from 'node:crypto';
import { GatewayClient } from '../../journeys/support/gateway-client.ts';
import { startPlatform } from '../../src/index.ts';
import type { Platform } from '../../src/index.ts';
import { startPrivateDeps } from './private-deps.ts';
import type { PrivateDeps } from './private-deps.ts';

/** A user of the run with a token. */
export interface LoadUser {
  readonly id: string;
  readonly email: string;
  readonly token: string;
}

/** An instance that exited without being asked to. */
export interface Crash {
  readonly id: string;
  readonly code: number | null;
  readonly signal: string | null;
  readonly at: Date;
}

/** What every reliability spec works with. */
export interface ReliabilityContext {
  /** Every crash so far, oldest first. */
  readonly crashes: Crash[];
  /**
   * Starts again every instance that crashed (what a kubelet would do), so one spec's failure
   * does not break the next; returns the ids restarted.
   */
  restartCrashed(): Promise<string[]>;
  readonly platform: Platform;
  readonly deps: PrivateDeps;
  readonly api: GatewayClient;
  readonly adminToken: string;
  readonly users: readonly LoadUser[];
  /** Registers a new user through the gateway (one acknowledged write in auth's database). */
  register(label: string): Promise<{ status: number; email: string; id?: string }>;
}

const PASSWORD = 'a reliability password';

/** Starts private data servers and the platform on them, and logs in a few users and the admin. */
export async function startReliabilityContext(): Promise<ReliabilityContext> {
  const deps = await startPrivateDeps();
  const crashes: Crash[] = [];
  let platform: Platform | undefined;
  try {
    platform = await startPlatform({
      kind: 'rel',
      deps: deps.env,
      rateLimits: false,
      replicas: { auth: 2, user: 2, event: 2, notification: 2, reporting: 2, gateway: 2 },
      env: { notification: { DELIVERY_LEASE_SEC: '5' } },
      onCrash: (instance, exit) =>
        crashes.push({ id: instance.id, code: exit.code, signal: exit.signal, at: new Date() }),
    });
    const api = new GatewayClient(platform.gatewayUrl);
    const register = async (label: string) => {
      const email = `${label}-${randomBytes(5).toString('hex')}@example.com`;
      const response = await api.post('/api/auth/register', {
        email,
        password: PASSWORD,
        name: label,
      });
      return { status: response.status, email, id: response.body['id'] as string | undefined };
    };
    const logIn = async (email: string, password: string) => {
      const response = await api.post('/api/auth/login', { email, password });
      if (response.status !== 200)
        throw new Error(`login ${email}: ${response.status} ${response.text}`);
      return String(response.body['access_token']);
    };
    const users: LoadUser[] = [];
    for (const label of ['load-a', 'load-b', 'load-c', 'load-d', 'load-e', 'load-f']) {
      const registered = await register(label);
      if (registered.status !== 201) throw new Error(`register ${label}: ${registered.status}`);
      users.push({
        id: String(registered.id),
        email: registered.email,
        token: await logIn(registered.email, PASSWORD),
      });
    }
    const adminToken = await logIn(platform.admin.email, platform.admin.password);
    const running = platform;
    const restartCrashed = async () => {
      const restarted: string[] = [];
      for (const name of [
        'auth',
        'user',
        'event',
        'notification',
        'reporting',
        'gateway',
      ] as const) {
        for (const instance of running.instances(name)) {
          if (!instance.isRunning()) {
            await instance.start();
            restarted.push(instance.id);
          }
        }
      }
      return restarted;
    };
    return { platform: running, deps, api, adminToken, users, register, crashes, restartCrashed };
  } catch (error) {
    await platform?.stop();
    await deps.stop();
    throw error;
  }
}

/** The password every registered user of the run has. */
export const RELIABILITY_PASSWORD = PASSWORD;

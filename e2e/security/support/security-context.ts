// What every part of the security suite shares: one platform run, its people, the signing key
// an insider could read, and the ledger of secrets handled (checked against the logs last).
import { GatewayClient, eventually } from '../../journeys/support/gateway-client.ts';
import { startPlatform } from '../../src/index.ts';
import type { Platform, ServiceName } from '../../src/index.ts';
import { readSigningKey } from './forged-tokens.ts';
import type { SigningKey } from './forged-tokens.ts';
import { logInAdmin, registerPerson, serviceToken } from './people.ts';
import type { Person } from './people.ts';
import { SecretLedger } from './secret-ledger.ts';

/** The run every security spec works against. */
export interface SecurityContext {
  readonly platform: Platform;
  /** The gateway: the public way in. */
  readonly api: GatewayClient;
  readonly ledger: SecretLedger;
  readonly key: SigningKey;
  /** A, the attacker: an ordinary user. */
  readonly alice: Person;
  /** B, the victim: an ordinary user with a profile and a welcome inbox item. */
  readonly bob: Person;
  readonly admin: Person;
  /** A client-credentials token of the `e2e` client (scopes users:read events:publish). */
  readonly serviceToken: string;
  /** Bob's welcome inbox item (a resource of his in the notification service). */
  readonly bobNotificationId: string;
  /** An event about Bob in the event hub's log. */
  readonly bobEventId: string;
  /** A client for one instance of `service`, bypassing the gateway. */
  direct(service: ServiceName): GatewayClient;
}

interface InboxItem {
  id: string;
  eventType: string;
}

/** Starts the platform and prepares the people and resources the specs attack. */
export async function startSecurityContext(): Promise<SecurityContext> {
  const platform = await startPlatform({
    kind: 'sec',
    // Reuse of a spent refresh token revokes its family at once (no retry grace window).
    env: { auth: { REFRESH_GRACE_SEC: '0' } },
  });
  try {
    const api = new GatewayClient(platform.gatewayUrl);
    const ledger = new SecretLedger();
    for (const value of platform.secrets.values()) ledger.add('platform secret', value);
    const key = await readSigningKey(platform);
    ledger.add('key', key.privatePem);
    const alice = await registerPerson(api, ledger, 'alice');
    const bob = await registerPerson(api, ledger, 'bob');
    const admin = await logInAdmin(api, ledger, platform);
    const token = await serviceToken(api, ledger, platform);

    const bobNotificationId = await eventually(
      "Bob's welcome inbox item",
      async () => {
        const inbox = await api.get<{ items: InboxItem[] }>('/api/notifications', {
          token: bob.accessToken,
        });
        return inbox.body.items?.find((item) => item.eventType === 'auth.user.registered')?.id;
      },
      60_000,
      500,
    );
    const bobEventId = await eventually("an event about Bob in the hub's log", async () => {
      const log = await api.get<{ items: { id: string; subject?: string }[] }>(
        `/api/events?subject=${encodeURIComponent(bob.id)}&limit=10`,
        { token: admin.accessToken },
      );
      return log.body.items?.find((event) => event.subject === bob.id)?.id;
    });

    return {
      platform,
      api,
      ledger,
      key,
      alice,
      bob,
      admin,
      serviceToken: token,
      bobNotificationId,
      bobEventId,
      direct: (service) => {
        const instance = platform.instances(service)[0];
        if (instance === undefined) throw new Error(`${service} has no instance`);
        return new GatewayClient(instance.url);
      },
    };
  } catch (error) {
    await platform.stop();
    throw error;
  }
}

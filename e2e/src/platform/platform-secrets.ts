// The development secrets of one run: made fresh each time (nothing to leak from git), handed
// to the services the way the charts' Secrets hand them over, and listed so the security suite
// can prove none of them reaches a log.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseDotenv } from 'dotenv';

/** A client of the client-credentials grant (a service calling another with its own token). */
export interface ClientCredentials {
  readonly client_id: string;
  readonly client_secret: string;
  readonly scopes: readonly string[];
}

/** The admin account the auth service creates at start, and where it came from. */
export interface AdminAccount {
  readonly email: string;
  readonly password: string;
  /** A sentence for people: "from /work/main/.env" or "generated for this run". */
  readonly source: string;
}

/** Every secret a run hands out. */
export interface PlatformSecrets {
  /** AUTH_KEY_ENCRYPTION_KEY: seals auth's signing keys at rest. */
  readonly keyEncryptionKey: string;
  /** By client id: `notification` and `reporting` (their own tokens), `e2e` (for the suites). */
  readonly clients: Readonly<Record<'notification' | 'reporting' | 'e2e', ClientCredentials>>;
  /** WEBHOOK_SECRETS of the event hub: one HMAC secret per webhook source. */
  readonly webhookSecrets: Readonly<Record<string, string>>;
  readonly admin: AdminAccount;
  /** Every secret value above, for "never in a log" checks. */
  values(): string[];
}

/** The webhook source the platform accepts signed webhooks from. */
export const WEBHOOK_SOURCE = 'partner';

const ADMIN_EMAIL_VARIABLE = 'AUTH_ADMIN_EMAIL';
const ADMIN_PASSWORD_VARIABLE = 'AUTH_ADMIN_PASSWORD';

function randomSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

function client(id: string, scopes: readonly string[]): ClientCredentials {
  return { client_id: id, client_secret: randomSecret(), scopes };
}

/**
 * The admin account: AUTH_ADMIN_EMAIL and AUTH_ADMIN_PASSWORD from `envFile` when it sets both
 * (what `make dev` passes: the repo's `.env`), otherwise generated for this run.
 */
export function adminAccount(envFile: string | undefined): AdminAccount {
  if (envFile !== undefined) {
    let values: Record<string, string> = {};
    try {
      values = parseDotenv(readFileSync(envFile));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const email = values[ADMIN_EMAIL_VARIABLE];
    const password = values[ADMIN_PASSWORD_VARIABLE];
    if (email && password) return { email, password, source: `from ${envFile}` };
    if (email || password) {
      throw new Error(
        `${envFile} sets only one of ${ADMIN_EMAIL_VARIABLE} and ${ADMIN_PASSWORD_VARIABLE}: set both or neither`,
      );
    }
  }
  return {
    email: 'admin@shoal.localtest.me',
    password: randomSecret(18),
    source:
      envFile === undefined
        ? 'generated for this run'
        : `generated for this run (set ${ADMIN_EMAIL_VARIABLE} and ${ADMIN_PASSWORD_VARIABLE} in ${envFile} to choose them)`,
  };
}

/** Fresh secrets for one run; the admin account as adminAccount(envFile) says. */
export function generateSecrets(envFile?: string): PlatformSecrets {
  const keyEncryptionKey = randomBytes(32).toString('base64');
  const clients = {
    notification: client('notification', ['users:read']),
    reporting: client('reporting', ['users:read']),
    e2e: client('e2e', ['users:read', 'events:publish']),
  };
  const webhookSecrets = { [WEBHOOK_SOURCE]: randomSecret() };
  const admin = adminAccount(envFile);
  return {
    keyEncryptionKey,
    clients,
    webhookSecrets,
    admin,
    values: () => [
      keyEncryptionKey,
      ...Object.values(clients).map((c) => c.client_secret),
      ...Object.values(webhookSecrets),
      admin.password,
    ],
  };
}

// The people of a security run: two ordinary users (A, the attacker, and B, the victim) and the
// admin, each logged in through the gateway; every password and token goes into the ledger.
import { randomBytes } from 'node:crypto';
import type { Platform } from '../../src/index.ts';
import type { GatewayClient } from '../../journeys/support/gateway-client.ts';
import type { SecretLedger } from './secret-ledger.ts';

/** A logged-in account. */
export interface Person {
  readonly id: string;
  readonly email: string;
  readonly password: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

interface TokenPair {
  access_token: string;
  refresh_token: string;
}

/** Logs `email` in through the gateway; throws with the problem when it fails. */
export async function logIn(
  api: GatewayClient,
  ledger: SecretLedger,
  email: string,
  password: string,
): Promise<TokenPair> {
  const response = await api.post<TokenPair>('/api/auth/login', { email, password });
  if (response.status !== 200)
    throw new Error(`login of ${email}: ${response.status} ${response.text}`);
  ledger.add('access token', response.body.access_token);
  ledger.add('refresh token', response.body.refresh_token);
  return response.body;
}

/** Registers a new user through the gateway and logs them in. */
export async function registerPerson(
  api: GatewayClient,
  ledger: SecretLedger,
  label: string,
): Promise<Person> {
  const email = `${label}-${randomBytes(4).toString('hex')}@example.com`;
  const password = `pw-${label}-${randomBytes(12).toString('base64url')}`;
  ledger.add('password', password);
  const registered = await api.post('/api/auth/register', { email, password, name: label });
  if (registered.status !== 201) {
    throw new Error(`register ${label}: ${registered.status} ${registered.text}`);
  }
  const tokens = await logIn(api, ledger, email, password);
  return {
    id: String(registered.body['id']),
    email,
    password,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
  };
}

/** Logs the platform's admin in. */
export async function logInAdmin(
  api: GatewayClient,
  ledger: SecretLedger,
  platform: Platform,
): Promise<Person> {
  const { email, password } = platform.admin;
  ledger.add('password', password);
  const tokens = await logIn(api, ledger, email, password);
  const me = await api.get('/api/auth/me', { token: tokens.access_token });
  return {
    id: String(me.body['id']),
    email,
    password,
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
  };
}

/** A service token (client-credentials grant) for the run's `e2e` client. */
export async function serviceToken(
  api: GatewayClient,
  ledger: SecretLedger,
  platform: Platform,
): Promise<string> {
  const { client_id, client_secret } = platform.secrets.clients.e2e;
  ledger.add('client secret', client_secret);
  const basic = Buffer.from(`${client_id}:${client_secret}`).toString('base64');
  const response = await api.call('POST', '/api/auth/token', undefined, {
    rawBody: 'grant_type=client_credentials',
    headers: {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
  });
  if (response.status !== 200) throw new Error(`client token: ${response.status} ${response.text}`);
  const token = String(response.body['access_token']);
  ledger.add('access token', token);
  return token;
}

// An attacker's token workshop: JWTs built by hand (so nothing refuses to make a bad one), some
// signed with the platform's REAL signing key. The key is read the way only an insider could
// (the run's auth database, unsealed with the run's key-encryption key): an expired or
// wrong-audience token must be refused for its claims, not for a broken signature.
import {
  createDecipheriv,
  createHmac,
  createPrivateKey,
  createPublicKey,
  randomUUID,
  sign,
} from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import pg from 'pg';
import type { Platform } from '../../src/index.ts';

/** The platform's active signing key. */
export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  /** The public key as PEM: what an HS256 "key confusion" attack uses as the HMAC secret. */
  readonly publicPem: string;
  /** The private key as PKCS#8 PEM (for the never-in-a-log check). */
  readonly privatePem: string;
}

/** Claims of a token; `undefined` values are left out. */
export type Claims = Record<string, unknown>;

function base64url(value: string | Buffer): string {
  return Buffer.from(value).toString('base64url');
}

/** Unseals `v1.<iv>.<tag>.<ciphertext>` (AES-256-GCM, the kid as associated data), as auth does. */
function unseal(sealed: string, keyEncryptionKey: string, kid: string): string {
  const [version, iv, tag, ciphertext] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || !ciphertext) throw new Error('unknown sealed key format');
  const decipher = createDecipheriv(
    'aes-256-gcm',
    Buffer.from(keyEncryptionKey, 'base64'),
    Buffer.from(iv, 'base64url'),
  );
  decipher.setAAD(Buffer.from(kid, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([
    decipher.update(Buffer.from(ciphertext, 'base64url')),
    decipher.final(),
  ]).toString('utf8');
}

/** Reads and unseals the active signing key from the run's auth database. */
export async function readSigningKey(platform: Platform): Promise<SigningKey> {
  const url = new URL(platform.deps.PG_URL);
  url.pathname = `/${platform.names.databases.auth}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rows } = await client.query<{ kid: string; private_key_sealed: string }>(
      'SELECT kid, private_key_sealed FROM signing_keys WHERE retired_at IS NULL',
    );
    const row = rows[0];
    if (row === undefined) throw new Error('auth has no active signing key');
    const privatePem = unseal(row.private_key_sealed, platform.secrets.keyEncryptionKey, row.kid);
    const privateKey = createPrivateKey(privatePem);
    const publicPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }) as string;
    return { kid: row.kid, privateKey, publicPem, privatePem };
  } finally {
    await client.end();
  }
}

/** The claims auth puts in a user's access token, for `sub`, valid now for 15 minutes. */
export function userClaims(sub: string, roles: readonly string[] = ['user']): Claims {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: 'shoal-auth',
    aud: 'shoal',
    sub,
    roles: [...roles],
    scope: '',
    iat: now,
    exp: now + 900,
    jti: randomUUID(),
  };
}

function encode(header: Claims, claims: Claims): string {
  return `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
}

/** An RS256 token signed with `key` (the real one, or an attacker's own). */
export function signRs256(
  key: KeyObject,
  kid: string,
  claims: Claims,
  header: Claims = {},
): string {
  const input = encode({ alg: 'RS256', typ: 'JWT', kid, ...header }, claims);
  return `${input}.${base64url(sign('sha256', Buffer.from(input), key))}`;
}

/** `alg: none`, no signature (the classic). */
export function unsignedToken(kid: string, claims: Claims): string {
  return `${encode({ alg: 'none', typ: 'JWT', kid }, claims)}.`;
}

/** HS256 with the RSA public key's PEM as the HMAC secret (RS/HS "key confusion"). */
export function keyConfusionToken(key: SigningKey, claims: Claims): string {
  const input = encode({ alg: 'HS256', typ: 'JWT', kid: key.kid }, claims);
  return `${input}.${createHmac('sha256', key.publicPem).update(input).digest('base64url')}`;
}

/** A real token whose payload was edited after signing (the signature no longer matches). */
export function tamperedToken(token: string, change: (claims: Claims) => Claims): string {
  const [header, payload, signature] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined) {
    throw new Error('not a JWT');
  }
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims;
  return `${header}.${base64url(JSON.stringify(change(claims)))}.${signature}`;
}

/** The claims of a token (no verification: the test's own tokens). */
export function decodeClaims(token: string): Claims {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims;
}

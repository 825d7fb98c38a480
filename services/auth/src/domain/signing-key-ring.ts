import { createHash, createPrivateKey, createPublicKey, generateKeyPair } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { AuthStore } from './auth-store.ts';
import type { KeyEncryption } from './key-encryption.ts';
import type { SigningKeyRecord } from './model.ts';

/** A public key as published in the JWKS. */
export interface PublishedJwk {
  readonly kty: string;
  readonly kid: string;
  readonly use: 'sig';
  readonly alg: 'RS256';
  readonly n: string;
  readonly e: string;
}

export interface SigningKeyRingOptions {
  readonly store: AuthStore;
  readonly encryption: KeyEncryption;
  /** How long a retired key stays published: the longest token lifetime plus slack. */
  readonly retentionMs: number;
  /** How long this replica trusts its view of the keys before reading them again. */
  readonly cacheMs: number;
  readonly now?: () => Date;
}

/** The key this replica signs with right now. */
export interface ActiveSigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
}

const RSA_MODULUS_BITS = 2048;
const UNKNOWN_KID_REFRESH_MS = 1000;

/** RFC 7638 JWK thumbprint of an RSA public key: a stable, collision-free `kid`. */
function thumbprint(jwk: { e: string; n: string }): string {
  const canonical = JSON.stringify({ e: jwk.e, kty: 'RSA', n: jwk.n });
  return createHash('sha256').update(canonical).digest('base64url');
}

/** Generates a fresh RSA signing key, its private part sealed for storage. */
export async function generateSigningKey(
  encryption: KeyEncryption,
  createdAt: Date,
): Promise<SigningKeyRecord> {
  const { publicKey, privateKey } = await new Promise<{
    publicKey: KeyObject;
    privateKey: KeyObject;
  }>((resolve, reject) =>
    generateKeyPair('rsa', { modulusLength: RSA_MODULUS_BITS }, (error, pub, priv) =>
      error ? reject(error) : resolve({ publicKey: pub, privateKey: priv }),
    ),
  );
  const { n, e } = publicKey.export({ format: 'jwk' });
  if (n === undefined || e === undefined) throw new Error('RSA public key without n/e');
  const kid = thumbprint({ n, e });
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return {
    kid,
    publicJwk: { kty: 'RSA', n, e },
    privateKeySealed: encryption.encrypt(pem, kid),
    createdAt,
    retiredAt: null,
  };
}

/**
 * The signing keys shared by all replicas through the database. One key is active (the
 * newest); retired keys stay published until every token they signed has expired.
 * Replicas re-read the keys every `cacheMs`, so a rotation on one replica reaches the
 * others within that time (retention accounts for it).
 */
export class SigningKeyRing {
  readonly #options: SigningKeyRingOptions;
  readonly #now: () => Date;
  #snapshot: { keys: SigningKeyRecord[]; loadedAt: number } | undefined;
  #loading: Promise<SigningKeyRecord[]> | undefined;
  #lastForcedLoad = 0;
  readonly #privateKeys = new Map<string, KeyObject>();
  readonly #publicKeys = new Map<string, KeyObject>();

  constructor(options: SigningKeyRingOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
  }

  /** Makes sure an active key exists (the first start of the service generates one). */
  async ensureKey(): Promise<void> {
    await this.#options.store.ensureActiveSigningKey(() =>
      generateSigningKey(this.#options.encryption, this.#now()),
    );
    this.#snapshot = undefined;
  }

  /** Generates a new key, makes it the active one, and retires the previous one. */
  async rotate(): Promise<{ kid: string; createdAt: Date }> {
    const key = await generateSigningKey(this.#options.encryption, this.#now());
    await this.#options.store.rotateSigningKey(key);
    this.#snapshot = undefined;
    return { kid: key.kid, createdAt: key.createdAt };
  }

  /** The key to sign new tokens with. */
  async activeKey(): Promise<ActiveSigningKey> {
    const keys = await this.#keys();
    const active = keys.find((key) => key.retiredAt === null);
    if (active === undefined) throw new Error('no active signing key (ensureKey not called?)');
    let privateKey = this.#privateKeys.get(active.kid);
    if (privateKey === undefined) {
      const pem = this.#options.encryption.decrypt(active.privateKeySealed, active.kid);
      privateKey = createPrivateKey(pem);
      this.#privateKeys.set(active.kid, privateKey);
    }
    return { kid: active.kid, privateKey };
  }

  /** The public keys verifiers should accept: the active one and those still retained. */
  async publishedKeys(): Promise<PublishedJwk[]> {
    const keys = await this.#keys();
    return keys.map((key) => ({
      kty: 'RSA',
      kid: key.kid,
      use: 'sig',
      alg: 'RS256',
      n: key.publicJwk['n'] ?? '',
      e: key.publicJwk['e'] ?? '',
    }));
  }

  /** The published public key with this `kid`, or undefined (unknown or no longer valid). */
  async publicKey(kid: string): Promise<KeyObject | undefined> {
    let keys = await this.#keys();
    // An unknown kid may have just been made by another replica: look once more, fresh
    // (at most once a second, so tokens with made-up kids cannot hammer the database).
    const now = this.#now().getTime();
    if (
      !keys.some((key) => key.kid === kid) &&
      now - this.#lastForcedLoad > UNKNOWN_KID_REFRESH_MS
    ) {
      this.#lastForcedLoad = now;
      this.#snapshot = undefined;
      keys = await this.#keys();
    }
    const record = keys.find((key) => key.kid === kid);
    if (record === undefined) return undefined;
    let publicKey = this.#publicKeys.get(kid);
    if (publicKey === undefined) {
      publicKey = createPublicKey({ key: { ...record.publicJwk }, format: 'jwk' });
      this.#publicKeys.set(kid, publicKey);
    }
    return publicKey;
  }

  async #keys(): Promise<SigningKeyRecord[]> {
    const fresh =
      this.#snapshot !== undefined &&
      this.#now().getTime() - this.#snapshot.loadedAt < this.#options.cacheMs;
    if (fresh && this.#snapshot !== undefined) return this.#snapshot.keys;
    // Concurrent callers share one read instead of each querying the database.
    this.#loading ??= this.#load().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #load(): Promise<SigningKeyRecord[]> {
    const now = this.#now().getTime();
    const keys = await this.#options.store.listSigningKeys(
      new Date(now - this.#options.retentionMs),
    );
    this.#snapshot = { keys, loadedAt: now };
    return keys;
  }
}

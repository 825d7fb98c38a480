import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt cost parameters; the defaults are OWASP's recommendation (N=2^17, r=8, p=1). */
export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  readonly N: number;
  /** Block size. */
  readonly r: number;
  /** Parallelisation. */
  readonly p: number;
}

export const OWASP_SCRYPT_PARAMS: ScryptParams = { N: 2 ** 17, r: 8, p: 1 };

const SALT_BYTES = 16;
const HASH_BYTES = 32;
const ALGORITHM = 'scrypt';

/** Memory scrypt needs for these parameters (128·N·r for V, 128·r·p for B), plus headroom. */
function maxmemFor(params: ScryptParams): number {
  return 128 * params.N * params.r + 128 * params.r * params.p + 16 * 1024 * 1024;
}

/** Throws unless the parameters are ones scrypt accepts and we are willing to spend. */
export function assertValidScryptParams(params: ScryptParams): void {
  const { N, r, p } = params;
  if (!Number.isInteger(N) || N < 2 || N > 2 ** 20 || (N & (N - 1)) !== 0) {
    throw new Error(`scrypt N must be a power of two between 2 and 2^20 (got ${N})`);
  }
  if (!Number.isInteger(r) || r < 1 || r > 32) {
    throw new Error(`scrypt r must be an integer between 1 and 32 (got ${r})`);
  }
  if (!Number.isInteger(p) || p < 1 || p > 16) {
    throw new Error(`scrypt p must be an integer between 1 and 16 (got ${p})`);
  }
}

/** Parses "N=131072,r=8,p=1" (the form used in configuration and in stored hashes). */
export function parseScryptParams(text: string): ScryptParams {
  const fields = new Map<string, number>();
  for (const part of text.split(',')) {
    const match = /^\s*([Nrp])=(\d+)\s*$/.exec(part);
    if (!match)
      throw new Error(`scrypt parameters must look like N=131072,r=8,p=1 (got "${text}")`);
    fields.set(match[1] as string, Number(match[2]));
  }
  const N = fields.get('N');
  const r = fields.get('r');
  const p = fields.get('p');
  if (N === undefined || r === undefined || p === undefined) {
    throw new Error(`scrypt parameters must name N, r and p (got "${text}")`);
  }
  const params = { N, r, p };
  assertValidScryptParams(params);
  return params;
}

/** The "N=...,r=...,p=..." text of these parameters. */
export function formatScryptParams(params: ScryptParams): string {
  return `N=${params.N},r=${params.r},p=${params.p}`;
}

function deriveKey(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(
      password.normalize('NFKC'),
      salt,
      HASH_BYTES,
      { N: params.N, r: params.r, p: params.p, maxmem: maxmemFor(params) },
      (error, key) => (error ? reject(error) : resolve(key)),
    );
  });
}

/** A stored hash split into its parts. */
interface ParsedHash {
  readonly params: ScryptParams;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

function parseStoredHash(stored: string): ParsedHash {
  const parts = stored.split('$');
  if (parts.length !== 4 || parts[0] !== ALGORITHM) {
    throw new Error('stored password hash is not in the scrypt$params$salt$hash form');
  }
  const salt = Buffer.from(parts[2] as string, 'base64url');
  const hash = Buffer.from(parts[3] as string, 'base64url');
  if (salt.length < 8 || hash.length < 16) throw new Error('stored password hash is truncated');
  return { params: parseScryptParams(parts[1] as string), salt, hash };
}

/** The outcome of checking a password against a stored hash. */
export interface PasswordCheck {
  readonly matches: boolean;
  /** True when the hash was made with other parameters than the current ones: rehash it. */
  readonly needsRehash: boolean;
}

/**
 * Hashes and verifies passwords with scrypt. The stored string names its parameters
 * (`scrypt$N=131072,r=8,p=1$<salt>$<hash>`, base64url) so that a hash made under older
 * parameters still verifies and can be upgraded at the next successful login.
 */
export class PasswordHasher {
  readonly params: ScryptParams;
  #dummyHash: Promise<string> | undefined;

  constructor(params: ScryptParams = OWASP_SCRYPT_PARAMS) {
    assertValidScryptParams(params);
    this.params = params;
  }

  /** A fresh salted hash of the password under the current parameters. */
  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const key = await deriveKey(password, salt, this.params);
    return [
      ALGORITHM,
      formatScryptParams(this.params),
      salt.toString('base64url'),
      key.toString('base64url'),
    ].join('$');
  }

  /** Checks the password against a stored hash in constant time. */
  async verify(password: string, stored: string): Promise<PasswordCheck> {
    const parsed = parseStoredHash(stored);
    const key = await deriveKey(password, parsed.salt, parsed.params);
    const matches = key.length === parsed.hash.length && timingSafeEqual(key, parsed.hash);
    const needsRehash = formatScryptParams(parsed.params) !== formatScryptParams(this.params);
    return { matches, needsRehash };
  }

  /**
   * Spends the same time as a real verification and always fails: used when the email is
   * unknown, so that a wrong email and a wrong password cannot be told apart by timing.
   */
  async verifyAgainstDummy(password: string): Promise<false> {
    this.#dummyHash ??= this.hash(randomBytes(24).toString('base64url'));
    await this.verify(password, await this.#dummyHash);
    return false;
  }
}

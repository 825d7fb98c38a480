import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { SigningKey } from 'jwks-rsa';

/**
 * Public keys parsed once per `kid`. jwks-rsa hands out PEM text, and jsonwebtoken parses a
 * PEM on every verify (~15% of an RS256 verify); a KeyObject skips that. An entry is only
 * used while jwks-rsa returns the very SigningKey it was parsed from: a JWKS refetch (cache
 * expiry, rotation) yields new SigningKey objects, so the entry is re-parsed, never stale.
 */
export class ParsedKeyCache {
  readonly #byKid = new Map<string, { source: SigningKey; key: KeyObject }>();

  /** The parsed form of `source`, the key jwks-rsa currently serves for `kid`. */
  keyObjectOf(kid: string | undefined, source: SigningKey): KeyObject {
    const slot = kid ?? '';
    const cached = this.#byKid.get(slot);
    if (cached?.source === source) return cached.key;
    const key = createPublicKey(source.getPublicKey());
    // Only kids the issuer published get here (unknown ones throw first), so this stays small.
    this.#byKid.set(slot, { source, key });
    return key;
  }
}

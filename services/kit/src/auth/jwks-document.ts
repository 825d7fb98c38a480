import type { KeyObject } from 'node:crypto';

/** One public key as a JSON Web Key, as the auth service publishes it. */
export interface PublicJwk {
  kty: string;
  kid: string;
  use: 'sig';
  alg: 'RS256';
  n?: string;
  e?: string;
}

/**
 * Builds a JWKS document (`{ keys: [...] }`) from RSA public keys, so the auth service can
 * serve `/.well-known/jwks.json` and tests can serve keys they generated themselves.
 */
export function jwksFromKeys(keys: ReadonlyArray<{ kid: string; publicKey: KeyObject }>): {
  keys: PublicJwk[];
} {
  return {
    keys: keys.map(({ kid, publicKey }) => {
      if (publicKey.type !== 'public' || publicKey.asymmetricKeyType !== 'rsa') {
        throw new TypeError(`jwksFromKeys: key "${kid}" must be an RSA public key`);
      }
      const { kty, n, e } = publicKey.export({ format: 'jwk' });
      return { kty: kty ?? 'RSA', n, e, kid, use: 'sig', alg: 'RS256' };
    }),
  };
}

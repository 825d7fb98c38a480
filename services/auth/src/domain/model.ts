/** A user account as the domain sees it. */
export interface User {
  readonly id: string;
  /** Trimmed and lower-cased; unique. */
  readonly email: string;
  readonly name: string;
  readonly roles: readonly string[];
  /** `scrypt$N=...,r=...,p=...$salt$hash`; never leaves the service. */
  readonly passwordHash: string;
  readonly createdAt: Date;
}

/** What an account looks like to API clients (no password hash). */
export interface PublicUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly roles: readonly string[];
  readonly created_at: string;
}

/** The API view of a user. */
export function toPublicUser(user: User): PublicUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    roles: [...user.roles],
    created_at: user.createdAt.toISOString(),
  };
}

/** A signing key as stored: the private part sealed with the key-encryption key. */
export interface SigningKeyRecord {
  /** RFC 7638 thumbprint of the public key. */
  readonly kid: string;
  /** The public key as a JWK (kty, n, e). */
  readonly publicJwk: Readonly<Record<string, string>>;
  /** PKCS#8 PEM of the private key, encrypted (see KeyEncryption). */
  readonly privateKeySealed: string;
  readonly createdAt: Date;
  /** When it stopped signing (a newer key took over); null for the active key. */
  readonly retiredAt: Date | null;
}

/** A refresh token row, locked for the duration of a refresh transaction. */
export interface RefreshTokenRecord {
  readonly id: string;
  readonly familyId: string;
  readonly userId: string;
  readonly expiresAt: Date;
  /** When it was exchanged for a new pair; null while unused. */
  readonly spentAt: Date | null;
  /** When its family was revoked (reuse detected, or logout); null while alive. */
  readonly familyRevokedAt: Date | null;
}

/** A refresh token to insert: only its hash is stored. */
export interface NewRefreshToken {
  readonly id: string;
  readonly familyId: string;
  readonly userId: string;
  /** SHA-256 of the token, hex. */
  readonly tokenHash: string;
  readonly parentId: string | null;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { JwtPayload } from 'jsonwebtoken';
import type { AuthContext } from '@shoal/kit';
import type { SigningKeyRing } from './signing-key-ring.ts';

/** The only algorithm tokens are signed and accepted with. */
const ALGORITHM = 'RS256';

export interface AccessTokenOptions {
  readonly keys: SigningKeyRing;
  /** The `iss` claim (default `shoal-auth`). */
  readonly issuer: string;
  /** The `aud` claim (`shoal`). */
  readonly audience: string;
  /** Lifetime of an access token, in seconds. */
  readonly ttlSec: number;
  /** Accepted clock skew when verifying, in seconds. */
  readonly clockToleranceSec?: number;
}

/** Whom a token is for and what it grants. */
export interface AccessTokenSubject {
  /** A user id, or a client id for service tokens. */
  readonly sub: string;
  readonly roles: readonly string[];
  /** Granted OAuth scopes (empty for user tokens). */
  readonly scope: readonly string[];
  /** Set for service tokens (client credentials): the `client_id` claim of RFC 9068. */
  readonly clientId?: string;
}

/** A signed access token and its lifetime, as the token endpoints return it. */
export interface IssuedAccessToken {
  readonly token: string;
  readonly expiresInSec: number;
}

/** A token this service refuses; the message is short and safe to return. */
export class AccessTokenRejectedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'AccessTokenRejectedError';
  }
}

/**
 * Signs and verifies the platform's access tokens: RS256 JWTs with `kid` in the header and
 * the claims iss, aud, sub, roles, scope, iat, exp, jti. Other services verify them through
 * the kit (JWKS over HTTP); this service verifies its own against the key ring directly.
 */
export class AccessTokens {
  readonly #options: AccessTokenOptions;

  constructor(options: AccessTokenOptions) {
    this.#options = options;
  }

  get ttlSec(): number {
    return this.#options.ttlSec;
  }

  /** Signs a token for the subject with the active key. */
  async issue(subject: AccessTokenSubject): Promise<IssuedAccessToken> {
    const { kid, privateKey } = await this.#options.keys.activeKey();
    const token = jwt.sign(
      {
        roles: [...subject.roles],
        scope: subject.scope.join(' '),
        ...(subject.clientId === undefined ? {} : { client_id: subject.clientId }),
      },
      privateKey,
      {
        algorithm: ALGORITHM,
        keyid: kid,
        issuer: this.#options.issuer,
        audience: this.#options.audience,
        subject: subject.sub,
        expiresIn: this.#options.ttlSec,
        jwtid: randomUUID(),
      },
    );
    return { token, expiresInSec: this.#options.ttlSec };
  }

  /** Verifies a token signed by one of the published keys; throws AccessTokenRejectedError. */
  async verify(token: string): Promise<AuthContext> {
    const decoded = jwt.decode(token, { complete: true });
    if (decoded === null) throw new AccessTokenRejectedError('malformed token');
    if (decoded.header.alg !== ALGORITHM) {
      throw new AccessTokenRejectedError('unsupported algorithm');
    }
    const kid = decoded.header.kid;
    const publicKey = kid === undefined ? undefined : await this.#options.keys.publicKey(kid);
    if (publicKey === undefined) throw new AccessTokenRejectedError('unknown signing key');
    let payload: JwtPayload;
    try {
      payload = jwt.verify(token, publicKey, {
        algorithms: [ALGORITHM],
        issuer: this.#options.issuer,
        audience: this.#options.audience,
        clockTolerance: this.#options.clockToleranceSec ?? 30,
      }) as JwtPayload;
    } catch (error) {
      throw new AccessTokenRejectedError(
        error instanceof jwt.TokenExpiredError ? 'token expired' : 'invalid token',
      );
    }
    if (typeof payload.exp !== 'number' || typeof payload.sub !== 'string') {
      throw new AccessTokenRejectedError('invalid token');
    }
    const roles: unknown = payload['roles'];
    const scope: unknown = payload['scope'];
    return {
      sub: payload.sub,
      roles: Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [],
      scope: typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [],
      claims: payload,
    };
  }
}

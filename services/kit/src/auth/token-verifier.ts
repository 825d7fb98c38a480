import jwt from 'jsonwebtoken';
import type { JwtPayload } from 'jsonwebtoken';
import { JwksClient } from 'jwks-rsa';
import type { SigningKey } from 'jwks-rsa';
import { ParsedKeyCache } from './parsed-key-cache.ts';
import type { AuthContext } from './auth-context.ts';

/** The only signature algorithm the platform accepts; pinned so `none` and HS* are refused. */
const ALGORITHM = 'RS256';

/** Why a token was refused: short, safe to send back, never contains the token. */
export class TokenRejectedError extends Error {
  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
    this.name = 'TokenRejectedError';
  }
}

/** The keys could not be fetched: the token may be fine, we just cannot tell right now. */
export class SigningKeysUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SigningKeysUnavailableError';
  }
}

export interface TokenVerifierOptions {
  /** Where the issuer publishes its public keys (`/.well-known/jwks.json`). */
  jwksUrl: string;
  /** The exact `iss` tokens must carry. */
  issuer: string;
  /** The `aud` tokens must carry (one of them, when several are accepted). */
  audience: string | readonly string[];
  /** Accepted clock skew between us and the issuer, in seconds. Default 30. */
  clockToleranceSec?: number;
  /** How long fetched keys are trusted before being fetched again. Default 10 minutes. */
  keyCacheMaxAgeMs?: number;
  /** Cap on JWKS refetches triggered by unknown `kid`s, so forged kids cannot flood the issuer. */
  jwksRequestsPerMinute?: number;
  /** Timeout of one JWKS fetch. Default 5 s. */
  jwksTimeoutMs?: number;
}

/** Checks a bearer token and returns who it proves; throws TokenRejectedError otherwise. */
export type TokenVerifier = (token: string) => Promise<AuthContext>;

/**
 * Builds a verifier for RS256 tokens signed by keys from a JWKS URL. Keys are cached per `kid`;
 * an unknown `kid` triggers a (rate-limited) refetch, which is how key rotation gets picked up.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const jwks = new JwksClient({
    jwksUri: options.jwksUrl,
    cache: true,
    cacheMaxAge: options.keyCacheMaxAgeMs ?? 10 * 60_000,
    rateLimit: true,
    jwksRequestsPerMinute: options.jwksRequestsPerMinute ?? 10,
    timeout: options.jwksTimeoutMs ?? 5_000,
  });
  const parsedKeys = new ParsedKeyCache();
  const audience = typeof options.audience === 'string' ? options.audience : [...options.audience];
  if (audience.length === 0) throw new TypeError('createTokenVerifier: audience must not be empty');

  return async (token) => {
    const header = decodeHeader(token);
    // Refuse before any key lookup, so junk tokens never cause JWKS traffic.
    if (header.alg !== ALGORITHM) throw new TokenRejectedError('unsupported algorithm');
    const publicKey = parsedKeys.keyObjectOf(header.kid, await signingKey(jwks, header.kid));
    let payload: JwtPayload;
    try {
      payload = jwt.verify(token, publicKey, {
        algorithms: [ALGORITHM],
        issuer: options.issuer,
        audience: audience as string | [string, ...string[]],
        clockTolerance: options.clockToleranceSec ?? 30,
        complete: false,
      }) as JwtPayload;
    } catch (error) {
      throw new TokenRejectedError(reasonFor(error), { cause: error });
    }
    // jsonwebtoken only checks `exp` when present; a token that never expires is refused.
    if (typeof payload.exp !== 'number') throw new TokenRejectedError('token has no expiry');
    if (typeof payload.sub !== 'string' || payload.sub === '') {
      throw new TokenRejectedError('token has no subject');
    }
    return { sub: payload.sub, roles: rolesOf(payload), scope: scopesOf(payload), claims: payload };
  };
}

/**
 * Reads only the JOSE header (alg, kid) to pick the key: decoding the whole token here would
 * do again what jwt.verify does anyway. jwt.verify then checks the full structure.
 */
function decodeHeader(token: string): { alg?: unknown; kid?: string } {
  const end = token.indexOf('.');
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(token.slice(0, end), 'base64url').toString('utf8'));
  } catch {
    header = undefined;
  }
  if (end < 1 || typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new TokenRejectedError('malformed token');
  }
  const { alg, kid } = header as { alg?: unknown; kid?: unknown };
  if (kid !== undefined && typeof kid !== 'string') throw new TokenRejectedError('malformed token');
  return { alg, kid };
}

async function signingKey(jwks: JwksClient, kid: string | undefined): Promise<SigningKey> {
  try {
    const key = await jwks.getSigningKey(kid);
    if (key.alg !== undefined && key.alg !== ALGORITHM) {
      throw new TokenRejectedError('unknown signing key');
    }
    return key;
  } catch (error) {
    if (error instanceof TokenRejectedError) throw error;
    const name = (error as { name?: unknown }).name;
    // An unknown kid (or too many of them) is the token's problem; anything else is ours.
    if (name === 'SigningKeyNotFoundError' || name === 'JwksRateLimitError') {
      throw new TokenRejectedError('unknown signing key', { cause: error });
    }
    throw new SigningKeysUnavailableError(
      `could not fetch signing keys: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** Maps jsonwebtoken's errors to short reasons that reveal nothing about our configuration. */
function reasonFor(error: unknown): string {
  if (error instanceof jwt.TokenExpiredError) return 'token expired';
  if (error instanceof jwt.NotBeforeError) return 'token not yet valid';
  const message = error instanceof Error ? error.message : '';
  if (message.startsWith('jwt issuer invalid')) return 'wrong issuer';
  if (message.startsWith('jwt audience invalid')) return 'wrong audience';
  if (message === 'invalid signature') return 'invalid signature';
  if (message === 'invalid algorithm') return 'unsupported algorithm';
  return 'malformed token';
}

function rolesOf(payload: JwtPayload): string[] {
  const roles: unknown = payload['roles'];
  if (typeof roles === 'string') return roles.split(' ').filter(Boolean);
  return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [];
}

function scopesOf(payload: JwtPayload): string[] {
  const scope: unknown = payload['scope'] ?? payload['scp'];
  if (typeof scope === 'string') return scope.split(' ').filter(Boolean);
  return Array.isArray(scope) ? scope.filter((s): s is string => typeof s === 'string') : [];
}

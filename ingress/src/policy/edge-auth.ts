// JWT checks at the edge: a request a route says must be authenticated never reaches the
// service without a token the kit's verifier accepts. The token is forwarded untouched; the
// service verifies it again (defence in depth, and it needs the claims anyway).
import { HttpProblem, SigningKeysUnavailableError, TokenRejectedError } from '@shoal/kit';
import type { AuthContext, TokenVerifier } from '@shoal/kit';
import type { AuthMode } from '../routes/route-policy.ts';
import { VerifiedTokenCache } from './verified-token-cache.ts';

const BEARER = /^Bearer +([A-Za-z0-9\-_.~+/]+=*) *$/;

/** Checks the Authorization header of a request against a route's auth mode. */
export class EdgeAuth {
  readonly #verify: TokenVerifier | undefined;
  readonly #cache: VerifiedTokenCache | undefined;

  /**
   * `verify` is the kit's verifier (undefined when no JWKS is configured: then routes that
   * need auth are refused with 503 rather than let through). `cacheSec` > 0 remembers
   * verified tokens that long (never past their exp).
   */
  constructor(verify: TokenVerifier | undefined, cacheSec: number) {
    this.#verify = verify;
    this.#cache = cacheSec > 0 ? new VerifiedTokenCache({ maxAgeMs: cacheSec * 1000 }) : undefined;
  }

  /**
   * Who the request is, or undefined for an anonymous request the mode allows; a promise
   * only when the token must be verified (a cached token is answered synchronously, so the
   * common request costs no microtask). Throws (or rejects with) a 401 HttpProblem (with
   * WWW-Authenticate) for a missing (when required), malformed or invalid token; a present
   * but invalid token is refused even when auth is optional.
   */
  authenticate(
    mode: AuthMode,
    authorization: string | undefined,
  ): AuthContext | undefined | Promise<AuthContext | undefined> {
    if (mode === 'none') return undefined;
    if (authorization === undefined || authorization === '') {
      if (mode === 'required') throw unauthorized('missing bearer token', 'Bearer');
      return undefined;
    }
    // Keyed by the whole header: a hit skips even the syntax check (it passed when cached).
    const cached = this.#cache?.get(authorization);
    if (cached) return cached;
    const token = BEARER.exec(authorization)?.[1];
    if (token === undefined) {
      throw unauthorized(
        'Authorization header must be "Bearer <token>"',
        'Bearer error="invalid_request"',
      );
    }
    return this.#verifyAndRemember(token, authorization);
  }

  async #verifyAndRemember(token: string, authorization: string): Promise<AuthContext> {
    if (this.#verify === undefined) {
      throw new HttpProblem(503, 'Service Unavailable', {
        detail: 'token verification is not configured on this gateway',
      });
    }
    try {
      const auth = await this.#verify(token);
      this.#cache?.set(authorization, auth);
      return auth;
    } catch (error) {
      if (error instanceof TokenRejectedError) {
        throw unauthorized(
          error.message,
          `Bearer error="invalid_token", error_description="${error.message}"`,
        );
      }
      if (error instanceof SigningKeysUnavailableError) {
        throw new HttpProblem(503, 'Service Unavailable', {
          detail: 'cannot verify tokens right now',
          headers: { 'Retry-After': '5' },
          cause: error,
        });
      }
      throw error;
    }
  }
}

function unauthorized(detail: string, challenge: string): HttpProblem {
  return new HttpProblem(401, 'Unauthorized', {
    detail,
    headers: { 'WWW-Authenticate': challenge },
  });
}

import type { RequestHandler } from 'express';
import { HttpProblem } from '../errors/problem.ts';
import './auth-context.ts';
import {
  SigningKeysUnavailableError,
  TokenRejectedError,
  createTokenVerifier,
} from './token-verifier.ts';
import type { TokenVerifierOptions } from './token-verifier.ts';

export interface JwtAuthOptions extends TokenVerifierOptions {
  /** When true (default) a request without a token gets 401; when false it passes anonymously. */
  required?: boolean;
}

const BEARER = /^Bearer +([A-Za-z0-9\-_.~+/]+=*) *$/;

/**
 * Express middleware that verifies `Authorization: Bearer <jwt>` (RS256 only, `iss`, `aud` and
 * `exp` required, keys from the JWKS URL) and sets `req.auth`. A present but invalid token is
 * always a 401, even when `required` is false.
 */
export function jwtAuth(options: JwtAuthOptions): RequestHandler {
  const verify = createTokenVerifier(options);
  const required = options.required ?? true;

  return async (req, _res, next) => {
    const header = req.headers.authorization;
    if (header === undefined || header === '') {
      if (required) throw unauthorized('missing bearer token', 'Bearer');
      return next();
    }
    const token = BEARER.exec(header)?.[1];
    if (token === undefined) {
      throw unauthorized(
        'Authorization header must be "Bearer <token>"',
        'Bearer error="invalid_request"',
      );
    }
    try {
      req.auth = await verify(token);
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
    next();
  };
}

function unauthorized(detail: string, challenge: string): HttpProblem {
  return new HttpProblem(401, 'Unauthorized', {
    detail,
    headers: { 'WWW-Authenticate': challenge },
  });
}

import type { RequestHandler } from 'express';
import { HttpProblem } from '@shoal/kit';
import type { AccessTokens } from '../domain/access-tokens.ts';

const BEARER = /^Bearer +([A-Za-z0-9\-_.~+/]+=*) *$/;

/**
 * Like the kit's `jwtAuth`, but verifies against this service's own key ring instead of
 * fetching its own JWKS over HTTP: same rules (RS256 only, iss, aud, exp), same `req.auth`,
 * so the kit's `requireRole` / `requireScope` guards work after it.
 */
export function bearerAuth(accessTokens: AccessTokens): RequestHandler {
  return async (req, _res, next) => {
    const header = req.headers.authorization;
    if (header === undefined || header === '') {
      throw new HttpProblem(401, 'Unauthorized', {
        detail: 'missing bearer token',
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    }
    const token = BEARER.exec(header)?.[1];
    if (token === undefined) {
      throw new HttpProblem(401, 'Unauthorized', {
        detail: 'Authorization header must be "Bearer <token>"',
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_request"' },
      });
    }
    // A rejected token throws AccessTokenRejectedError, mapped to 401 by domainProblemMiddleware.
    req.auth = await accessTokens.verify(token);
    next();
  };
}

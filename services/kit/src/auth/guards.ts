import type { Request, RequestHandler } from 'express';
import { HttpProblem } from '../errors/problem.ts';
import type { AuthContext } from './auth-context.ts';
import './auth-context.ts';

/** Lets the request through when the caller holds ANY of the given roles; 403 otherwise. */
export function requireRole(...roles: string[]): RequestHandler {
  if (roles.length === 0) throw new TypeError('requireRole: name at least one role');
  return (req, _res, next) => {
    const auth = authenticated(req);
    if (!roles.some((role) => auth.roles.includes(role))) {
      throw new HttpProblem(403, 'Forbidden', {
        detail: `requires role ${roles.join(' or ')}`,
      });
    }
    next();
  };
}

/** Lets the request through when the token carries ALL of the given scopes; 403 otherwise. */
export function requireScope(...scopes: string[]): RequestHandler {
  if (scopes.length === 0) throw new TypeError('requireScope: name at least one scope');
  return (req, _res, next) => {
    const auth = authenticated(req);
    const missing = scopes.filter((scope) => !auth.scope.includes(scope));
    if (missing.length > 0) {
      throw new HttpProblem(403, 'Forbidden', {
        detail: `missing scope ${missing.join(' ')}`,
        // RFC 6750 §3.1: tell the client which scopes would do.
        headers: {
          'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${scopes.join(' ')}"`,
        },
      });
    }
    next();
  };
}

/** A guard behind optional auth (or none) meets anonymous callers: that is a 401, not a 403. */
function authenticated(req: Request): AuthContext {
  if (req.auth === undefined) {
    throw new HttpProblem(401, 'Unauthorized', {
      detail: 'missing bearer token',
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
  }
  return req.auth;
}

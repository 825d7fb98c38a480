import type { ErrorRequestHandler } from 'express';
import { HttpProblem, problemType } from '@shoal/kit';
import { InvalidCursorError } from '../domain/auth-store.ts';
import {
  EmailTakenError,
  InvalidClientError,
  InvalidCredentialsError,
  InvalidRefreshTokenError,
  InvalidScopeError,
  LoginThrottledError,
  UserNotFoundError,
} from '../domain/errors.ts';
import { AccessTokenRejectedError } from '../domain/access-tokens.ts';

/** The HTTP problem for a domain error, or undefined for anything else (a 500 then). */
export function problemFor(error: unknown): HttpProblem | undefined {
  if (error instanceof EmailTakenError) {
    return new HttpProblem(409, 'Conflict', {
      type: problemType('email-taken'),
      detail: error.message,
    });
  }
  if (error instanceof InvalidCredentialsError) {
    return new HttpProblem(401, 'Unauthorized', {
      type: problemType('invalid-credentials'),
      detail: error.message,
    });
  }
  if (error instanceof LoginThrottledError) {
    return new HttpProblem(429, 'Too Many Requests', {
      type: problemType('too-many-login-attempts'),
      detail: error.message,
      headers: { 'Retry-After': String(error.retryAfterSec) },
    });
  }
  if (error instanceof InvalidRefreshTokenError) {
    return new HttpProblem(401, 'Unauthorized', {
      type: problemType('invalid-refresh-token'),
      detail: error.message,
      // OAuth clients understand `error`; the problem fields serve everyone else.
      extensions: { error: 'invalid_grant' },
    });
  }
  if (error instanceof InvalidClientError) {
    return new HttpProblem(401, 'Unauthorized', {
      type: problemType('invalid-client'),
      detail: error.message,
      extensions: { error: 'invalid_client', error_description: error.message },
      headers: { 'WWW-Authenticate': 'Basic realm="shoal-auth"' },
    });
  }
  if (error instanceof InvalidScopeError) {
    return new HttpProblem(400, 'Bad Request', {
      type: problemType('invalid-scope'),
      detail: error.message,
      extensions: { error: 'invalid_scope', error_description: error.message },
    });
  }
  if (error instanceof UserNotFoundError) {
    return new HttpProblem(404, 'Not Found', {
      type: problemType('user-not-found'),
      detail: error.message,
    });
  }
  if (error instanceof InvalidCursorError) {
    return new HttpProblem(400, 'Bad Request', {
      type: problemType('invalid-cursor'),
      detail: error.message,
    });
  }
  if (error instanceof AccessTokenRejectedError) {
    return new HttpProblem(401, 'Unauthorized', {
      detail: error.message,
      headers: {
        'WWW-Authenticate': `Bearer error="invalid_token", error_description="${error.message}"`,
      },
    });
  }
  return undefined;
}

/** Turns domain errors into problems for the kit's error middleware; passes the rest on. */
export function domainProblemMiddleware(): ErrorRequestHandler {
  return (error: unknown, _req, _res, next) => {
    next(problemFor(error) ?? error);
  };
}

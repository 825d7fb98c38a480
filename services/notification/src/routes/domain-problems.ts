import type { ErrorRequestHandler } from 'express';
import { HttpProblem, problemType } from '@shoal/kit';
import { InvalidCursorError, NotificationNotFoundError } from '../domain/errors.ts';

/** The HTTP problem for a domain error, or undefined for anything else (a 500 then). */
export function problemFor(error: unknown): HttpProblem | undefined {
  if (error instanceof NotificationNotFoundError) {
    return new HttpProblem(404, 'Not Found', {
      type: problemType('notification-not-found'),
      detail: error.message,
    });
  }
  if (error instanceof InvalidCursorError) {
    return new HttpProblem(400, 'Bad Request', {
      type: problemType('invalid-cursor'),
      detail: error.message,
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

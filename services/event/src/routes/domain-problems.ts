import type { ErrorRequestHandler } from 'express';
import { HttpProblem, problemType } from '@shoal/kit';
import {
  ContractViolationError,
  EventNotFoundError,
  UnknownSubscriptionError,
} from '../domain/errors.ts';
import { InvalidCursorError } from '../domain/event-log.ts';

/** The HTTP problem for a domain error, or undefined for anything else (a 500 then). */
export function problemFor(error: unknown): HttpProblem | undefined {
  if (error instanceof ContractViolationError) {
    return new HttpProblem(400, 'Bad Request', {
      type: problemType('contract-violation'),
      detail: error.message,
    });
  }
  if (error instanceof EventNotFoundError) {
    return new HttpProblem(404, 'Not Found', {
      type: problemType('event-not-found'),
      detail: error.message,
    });
  }
  if (error instanceof UnknownSubscriptionError) {
    return new HttpProblem(400, 'Bad Request', {
      type: problemType('unknown-subscription'),
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

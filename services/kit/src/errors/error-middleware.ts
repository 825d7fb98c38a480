import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { z } from 'zod';
import type { Logger } from '../logger/logger.ts';
import { getRequestLogger } from '../context/request-context.ts';
import { HttpProblem } from './problem.ts';
import {
  bodyTooLargeProblem,
  internalErrorProblem,
  malformedJsonProblem,
  routeNotFoundProblem,
  statusProblem,
  unsupportedMediaTypeProblem,
  validationProblem,
} from './problem-types.ts';

/** The shape of errors thrown by body-parser (and other `http-errors` users). */
interface HttpLibraryError {
  status?: unknown;
  statusCode?: unknown;
  type?: unknown;
  expose?: unknown;
  limit?: unknown;
  message?: unknown;
}

/** The status an error from a library asks for, when it is a 4xx/5xx. */
function libraryStatus(error: HttpLibraryError): number | undefined {
  const status = error.status ?? error.statusCode;
  return typeof status === 'number' && status >= 400 && status <= 599 ? status : undefined;
}

/** Maps anything thrown in a request to the problem the client sees. */
export function toProblem(error: unknown, req: Pick<Request, 'headers'>): HttpProblem {
  if (error instanceof HttpProblem) return error;
  if (error instanceof z.core.$ZodError) {
    return validationProblem(
      error.issues.map((issue) => ({
        path: issue.path.map(String).join('.'),
        message: issue.message,
      })),
    );
  }
  if (typeof error !== 'object' || error === null) return internalErrorProblem();
  const libraryError = error as HttpLibraryError;
  switch (libraryError.type) {
    case 'entity.too.large':
      return bodyTooLargeProblem(
        typeof libraryError.limit === 'number' ? libraryError.limit : undefined,
      );
    case 'entity.parse.failed':
      return malformedJsonProblem();
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return unsupportedMediaTypeProblem(req.headers['content-type']);
  }
  const status = libraryStatus(libraryError);
  if (status !== undefined && status < 500) {
    const detail =
      libraryError.expose === true && typeof libraryError.message === 'string'
        ? libraryError.message
        : undefined;
    return statusProblem(status, detail);
  }
  return internalErrorProblem();
}

/** The last route: anything that reaches it matched no route, so it is a 404 problem. */
export function notFoundHandler(): RequestHandler {
  return (req) => {
    throw routeNotFoundProblem(req.method, req.path);
  };
}

/**
 * The error middleware (mount it last): renders every error as RFC 9457 problem+json.
 * 5xx errors are logged with their stack; the client only sees the status and title.
 */
export function problemMiddleware(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      // Too late for a problem document: let Express end the connection.
      next(error);
      return;
    }
    const problem = toProblem(error, req);
    if (problem.status >= 500) {
      const cause = error instanceof Error ? error : new Error(String(error));
      getRequestLogger(logger).error('request failed', {
        error: { name: cause.name, message: cause.message, stack: cause.stack },
      });
    }
    res.status(problem.status);
    res.set(problem.headers);
    res.type('application/problem+json');
    res.send(JSON.stringify(problem.toJSON(req.originalUrl.split('?')[0])));
  };
}

import type { ErrorRequestHandler } from 'express';
import { HttpProblem, problemType } from '@shoal/kit';
import { ReportRequestError } from '../domain/report-errors.ts';

/**
 * Maps report errors to problem+json 400s naming the parameter (in `errors`, shaped like the
 * kit's validation problems); anything else goes on to the kit's error handler.
 */
export function domainProblemMiddleware(): ErrorRequestHandler {
  return (error: unknown, _req, _res, next) => {
    if (error instanceof ReportRequestError) {
      next(
        new HttpProblem(400, 'Bad Request', {
          type: problemType('validation'),
          detail: error.message,
          extensions: { errors: [{ path: error.parameter, message: error.message }] },
        }),
      );
      return;
    }
    next(error);
  };
}

import { STATUS_CODES } from 'node:http';
import { HttpProblem } from './problem.ts';

/**
 * Every problem the kit itself produces has a `type` under this base, one slug per kind,
 * so clients can switch on it. Services may use it too, or stay with `about:blank`.
 */
export const PROBLEM_TYPE_BASE = 'https://shoal.dev/problems/';

/** The stable `type` URI for a problem slug, e.g. `problemType('validation')`. */
export function problemType(slug: string): string {
  return `${PROBLEM_TYPE_BASE}${slug}`;
}

/** One field that failed validation, as listed in a 400's `errors` member. */
export interface FieldError {
  /** Dotted path into the input, e.g. `address.zip` or `items.0.qty` (empty for the root). */
  path: string;
  message: string;
}

/** 400 with `errors: [{path, message}]`, for input that does not match its schema. */
export function validationProblem(errors: FieldError[]): HttpProblem {
  return new HttpProblem(400, 'Bad Request', {
    type: problemType('validation'),
    detail: 'The request does not match the expected schema.',
    extensions: { errors },
  });
}

/** 404 for a path no route matches. */
export function routeNotFoundProblem(method: string, path: string): HttpProblem {
  return new HttpProblem(404, 'Not Found', {
    type: problemType('not-found'),
    detail: `No route for ${method} ${path}.`,
  });
}

/** 413 for a body over the configured limit. */
export function bodyTooLargeProblem(limitBytes: number | undefined): HttpProblem {
  return new HttpProblem(413, 'Content Too Large', {
    type: problemType('body-too-large'),
    detail:
      limitBytes === undefined
        ? 'The request body is too large.'
        : `The request body is larger than ${limitBytes} bytes.`,
  });
}

/**
 * 415 for a body of a type the route does not take. `accepted` lists the media types it
 * does take (default JSON only); they are named in the detail and in Accept-Post/-Patch.
 */
export function unsupportedMediaTypeProblem(
  contentType: string | undefined,
  accepted: readonly string[] = ['application/json'],
): HttpProblem {
  const got = contentType === undefined ? 'no content type' : JSON.stringify(contentType);
  const acceptedList = accepted.join(', ');
  return new HttpProblem(415, 'Unsupported Media Type', {
    type: problemType('unsupported-media-type'),
    detail: `Expected an ${accepted.join(' or ')} body, got ${got}.`,
    headers: { 'Accept-Post': acceptedList, 'Accept-Patch': acceptedList },
  });
}

/** 400 for a body that claims to be JSON but does not parse. */
export function malformedJsonProblem(): HttpProblem {
  return new HttpProblem(400, 'Bad Request', {
    type: problemType('malformed-json'),
    detail: 'The request body is not valid JSON.',
  });
}

/** 500 that says nothing about the cause: details go to the log, never to the client. */
export function internalErrorProblem(): HttpProblem {
  return new HttpProblem(500, 'Internal Server Error', { type: problemType('internal') });
}

/** A problem for a status set by a library error (e.g. http-errors), with its standard title. */
export function statusProblem(status: number, detail?: string): HttpProblem {
  return new HttpProblem(status, STATUS_CODES[status] ?? 'Error', {
    ...(detail === undefined ? {} : { detail }),
  });
}

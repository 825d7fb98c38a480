// Request body limits that keep bodies streaming: a declared Content-Length over the limit is
// refused before anything is sent upstream; a chunked body is counted as it flows through
// and cut off (the upstream request aborted) the moment it passes the limit.
import type { IncomingMessage } from 'node:http';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { HttpProblem } from '@shoal/kit';

/** The 413 problem for a body over `limit` bytes. */
export function bodyTooLarge(limit: number): HttpProblem {
  return new HttpProblem(413, 'Content Too Large', {
    type: 'https://shoal.dev/problems/body-too-large',
    detail: `request body exceeds the limit of ${limit} bytes`,
    extensions: { limit },
  });
}

/** A body stream went over its limit while being forwarded. */
export class BodyLimitExceededError extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`request body exceeds the limit of ${limit} bytes`);
    this.name = 'BodyLimitExceededError';
    this.limit = limit;
  }
}

/** Throws 413 when the declared length is over the limit; false when the body must be counted. */
export function checkDeclaredLength(req: IncomingMessage, limit: number): boolean {
  const declared = req.headers['content-length'];
  if (declared === undefined) return req.headers['transfer-encoding'] === undefined;
  const length = Number(declared);
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new HttpProblem(400, 'Bad Request', { detail: 'invalid Content-Length' });
  }
  if (length > limit) throw bodyTooLarge(limit);
  return true;
}

/** A pass-through that errors with BodyLimitExceededError once more than `limit` bytes flowed. */
export function countingStream(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) callback(new BodyLimitExceededError(limit));
      else callback(null, chunk);
    },
  });
}

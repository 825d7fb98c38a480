import type { IncomingMessage } from 'node:http';
import express from 'express';
import type { RequestHandler } from 'express';
import { unsupportedMediaTypeProblem } from '../errors/problem-types.ts';

/** `application/json` and the `+json` family (e.g. `application/merge-patch+json`). */
const JSON_MEDIA_TYPE = /^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i;

/** HTML-form / OAuth token-request bodies (RFC 6749 §4.4.2). */
const FORM_MEDIA_TYPE = /^application\/x-www-form-urlencoded\s*(;|$)/i;

/** What the service body parser accepts, as advertised in a 415's Accept-Post header. */
export const PARSED_MEDIA_TYPES: readonly string[] = [
  'application/json',
  'application/x-www-form-urlencoded',
];

// The one place the kit widens Express' Request for bodies: the parser keeps the raw bytes.
declare module 'express-serve-static-core' {
  interface Request {
    /**
     * The exact bytes of a body the kit parsed (JSON or form), after any Content-Encoding was
     * undone and before charset decoding: what a webhook's HMAC signature covers. Absent when
     * the request had no body or body parsing is off.
     */
    rawBody?: Buffer;
  }
}

/** Whether the request carries a body at all (a length above zero, or chunked). */
export function hasBody(headers: {
  'content-length'?: string;
  'transfer-encoding'?: string;
}): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  return headers['content-length'] !== undefined && headers['content-length'] !== '0';
}

/** Whether a Content-Type header names JSON (`application/json` or `application/*+json`). */
export function isJsonMediaType(contentType: string | undefined): boolean {
  return contentType !== undefined && JSON_MEDIA_TYPE.test(contentType);
}

/** Whether a Content-Type header names `application/x-www-form-urlencoded`. */
export function isFormMediaType(contentType: string | undefined): boolean {
  return contentType !== undefined && FORM_MEDIA_TYPE.test(contentType);
}

/** body-parser's `verify` hook: runs on the whole body before it is parsed, so keep it. */
function keepRawBody(req: IncomingMessage, _res: unknown, raw: Buffer): void {
  (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
}

/**
 * The body parsing createService mounts: a request body must be JSON (`application/json`,
 * `application/*+json`) or a form (`application/x-www-form-urlencoded`, flat: `a[b]=1` stays
 * the key `a[b]`), else 415; larger than `limitBytes` is 413; malformed JSON is 400. The
 * parsed value lands on `req.body` and the raw bytes on `req.rawBody`.
 */
export function serviceBodyMiddleware(limitBytes: number): RequestHandler[] {
  const requireParsableBody: RequestHandler = (req, _res, next) => {
    const contentType = req.headers['content-type'];
    if (hasBody(req.headers) && !isJsonMediaType(contentType) && !isFormMediaType(contentType)) {
      throw unsupportedMediaTypeProblem(contentType, PARSED_MEDIA_TYPES);
    }
    next();
  };
  return [
    requireParsableBody,
    express.json({
      limit: limitBytes,
      type: (req) => hasBody(req.headers) && isJsonMediaType(req.headers['content-type']),
      verify: keepRawBody,
    }),
    express.urlencoded({
      extended: false,
      limit: limitBytes,
      type: (req) => hasBody(req.headers) && isFormMediaType(req.headers['content-type']),
      verify: keepRawBody,
    }),
  ];
}

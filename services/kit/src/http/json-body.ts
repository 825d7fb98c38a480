import express from 'express';
import type { RequestHandler } from 'express';
import { unsupportedMediaTypeProblem } from '../errors/problem-types.ts';

/** `application/json` and the `+json` family (e.g. `application/merge-patch+json`). */
const JSON_MEDIA_TYPE = /^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i;

/** Whether the request carries a body at all (a length above zero, or chunked). */
function hasBody(headers: { 'content-length'?: string; 'transfer-encoding'?: string }): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  return headers['content-length'] !== undefined && headers['content-length'] !== '0';
}

/**
 * The kit's services speak JSON: a request body must be JSON (else 415) and at most
 * `limitBytes` (else 413); malformed JSON is a 400. Parsed bodies land on `req.body`.
 */
export function jsonBodyMiddleware(limitBytes: number): RequestHandler[] {
  const requireJson: RequestHandler = (req, _res, next) => {
    const contentType = req.headers['content-type'];
    if (hasBody(req.headers) && (contentType === undefined || !JSON_MEDIA_TYPE.test(contentType))) {
      throw unsupportedMediaTypeProblem(contentType);
    }
    next();
  };
  return [requireJson, express.json({ limit: limitBytes, type: (req) => hasBody(req.headers) })];
}

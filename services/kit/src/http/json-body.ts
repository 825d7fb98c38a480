import express from 'express';
import type { RequestHandler } from 'express';
import { unsupportedMediaTypeProblem } from '../errors/problem-types.ts';
import { hasBody, isJsonMediaType } from './body-parser.ts';

/**
 * JSON only: a request body must be JSON (else 415) and at most `limitBytes` (else 413);
 * malformed JSON is a 400. Parsed bodies land on `req.body`. createService now mounts
 * serviceBodyMiddleware (JSON and forms, raw bytes kept); this stays for routers that
 * want JSON and nothing else.
 */
export function jsonBodyMiddleware(limitBytes: number): RequestHandler[] {
  const requireJson: RequestHandler = (req, _res, next) => {
    const contentType = req.headers['content-type'];
    if (hasBody(req.headers) && !isJsonMediaType(contentType)) {
      throw unsupportedMediaTypeProblem(contentType);
    }
    next();
  };
  return [requireJson, express.json({ limit: limitBytes, type: (req) => hasBody(req.headers) })];
}

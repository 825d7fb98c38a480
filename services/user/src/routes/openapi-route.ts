import { readFileSync } from 'node:fs';
import { Router } from 'express';
import { parse } from 'yaml';

/** Where the contract lives: services/user/openapi.yaml. */
export const OPENAPI_PATH = new URL('../../openapi.yaml', import.meta.url);

/** The OpenAPI document, read and parsed from openapi.yaml. */
export function loadOpenApiDocument(): Record<string, unknown> {
  return parse(readFileSync(OPENAPI_PATH, 'utf8')) as Record<string, unknown>;
}

/** `GET /openapi.json`: the contract as JSON (read once, at the first request). */
export function openApiRoute(): Router {
  const router = Router();
  let document: string | undefined;
  router.get('/openapi.json', (_req, res) => {
    document ??= JSON.stringify(loadOpenApiDocument());
    res.set('Cache-Control', 'public, max-age=300').type('application/json').send(document);
  });
  return router;
}

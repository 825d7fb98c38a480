import { readFileSync } from 'node:fs';
import { Router } from 'express';
import { parse } from 'yaml';

/** A service's OpenAPI document, read and parsed from its YAML file (e.g. openapi.yaml). */
export function loadOpenApiDocument(file: URL): Record<string, unknown> {
  return parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

/**
 * `GET /openapi.json`: the service's contract as JSON, for API consumers and the gateway's
 * /docs. Mount it under the service's prefix; the file is read once, at the first request.
 */
export function openApiRoute(file: URL): Router {
  const router = Router();
  let document: string | undefined;
  router.get('/openapi.json', (_req, res) => {
    document ??= JSON.stringify(loadOpenApiDocument(file));
    res.set('Cache-Control', 'public, max-age=300').type('application/json').send(document);
  });
  return router;
}

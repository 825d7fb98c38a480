// `/docs`: Swagger UI for API consumers, served offline from swagger-ui-dist, listing the
// services' OpenAPI contracts (fetched by the browser through this gateway's routes).
import { createRequire } from 'node:module';
import express from 'express';
import type { Express } from 'express';

/** One contract in the docs' picker. */
export interface OpenApiDocument {
  name: string;
  url: string;
}

/** The path Swagger UI is served under. */
export const DOCS_PATH = '/docs';

/** Parses `auth=/api/auth/openapi.json, user=/api/users/openapi.json`. */
export function parseOpenApiUrls(text: string): OpenApiDocument[] {
  return text
    .split(',')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair) => {
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator).trim();
      const url = pair.slice(separator + 1).trim();
      if (separator < 1 || !/^[\w .-]{1,60}$/.test(name) || !/^(\/|https?:\/\/)\S+$/.test(url)) {
        throw new Error(`DOCS_OPENAPI_URLS: "${pair}" is not name=/path or name=http(s)://url`);
      }
      return { name, url };
    });
}

/** Mounts Swagger UI at /docs (static files, a generated initializer, no CDN). */
export function mountDocs(app: Express, documents: readonly OpenApiDocument[]): void {
  const require = createRequire(import.meta.url);
  const assets = (
    require('swagger-ui-dist') as { getAbsoluteFSPath(): string }
  ).getAbsoluteFSPath();
  const initializer = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    urls: ${JSON.stringify(documents)},
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout',
  });
};
`;
  app.get(`${DOCS_PATH}/swagger-initializer.js`, (_req, res) => {
    res.type('application/javascript').set('Cache-Control', 'no-cache').send(initializer);
  });
  app.get(DOCS_PATH, (req, res, next) => {
    // Relative asset URLs in index.html need the trailing slash.
    if (req.path === DOCS_PATH && !req.originalUrl.split('?')[0]?.endsWith('/')) {
      res.redirect(301, `${DOCS_PATH}/`);
      return;
    }
    next();
  });
  app.use(
    DOCS_PATH,
    express.static(assets, { index: 'index.html', maxAge: '1h', redirect: false }),
  );
}

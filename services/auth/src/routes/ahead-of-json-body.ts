import type { Express, RequestHandler } from 'express';

/** The part of a router layer this file looks at. */
interface Layer {
  readonly name: string;
}

/**
 * Mounts `handler` at `path` AHEAD of the kit's JSON-only body middleware.
 *
 * Why: the kit's createService rejects every non-JSON request body with 415 before any
 * service route runs, but OAuth 2.0 token requests are `application/x-www-form-urlencoded`
 * (RFC 6749 §4.4.2; the kit's own clientCredentialsTokenProvider sends a form). Until the
 * kit lets a route opt into form bodies, the token router is moved in front of the kit's
 * `requireJson` layer. When that layer is absent this is a plain `app.use`.
 */
export function mountAheadOfJsonBody(app: Express, path: string, handler: RequestHandler): void {
  app.use(path, handler);
  const stack = (app.router as unknown as { stack: Layer[] }).stack;
  const mounted = stack.pop();
  const kitJsonGate = stack.findIndex((layer) => layer.name === 'requireJson');
  if (mounted === undefined) return;
  if (kitJsonGate < 0) stack.push(mounted);
  else stack.splice(kitJsonGate, 0, mounted);
}

import type { Request } from 'express';

/** The label for requests no route matched, so unknown paths cannot blow up metric cardinality. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The matched route's template, e.g. `/api/users/:id` (mount path + route path), never the
 * concrete URL. Read it once the response is finished: Express sets `req.route` on match.
 */
export function routeTemplate(req: Request): string {
  const route = (req as { route?: { path?: unknown } }).route;
  if (route === undefined || route.path === undefined) return UNMATCHED_ROUTE;
  const path = typeof route.path === 'string' ? route.path : String(route.path);
  return `${req.baseUrl}${path}` || '/';
}

import type { Request } from 'express';

/** The label for requests no route matched, so unknown paths cannot blow up metric cardinality. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The matched route's template, e.g. `/api/users/:id` (mount path + route path), never the
 * concrete URL. Read it once the response is finished: Express sets `req.route` on match.
 */
export function routeTemplate(req: Request): string {
  const path = (req as { route?: { path?: unknown } }).route?.path;
  let template: string;
  if (typeof path === 'string') template = path;
  else if (path instanceof RegExp) template = path.source;
  else if (Array.isArray(path)) template = path.map(String).join('|');
  else return UNMATCHED_ROUTE;
  return `${req.baseUrl}${template}` || '/';
}

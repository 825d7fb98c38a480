// The path a request is routed by. Paths that a service could read differently from the
// gateway (dot segments, encoded slashes or dots, backslashes, empty segments) are refused:
// otherwise `/public/../admin` would match a public route and reach a protected handler.
import { HttpProblem } from '@shoal/kit';

const AMBIGUOUS = /(^|\/)\.\.?(\/|$)|%2e|%2f|%5c|\\|\/\//i;

/** The path of a request target (origin-form only), or a 400 problem. */
export function routingPath(url: string | undefined): string {
  const target = url ?? '';
  const query = target.indexOf('?');
  const path = query === -1 ? target : target.slice(0, query);
  if (!path.startsWith('/')) {
    throw new HttpProblem(400, 'Bad Request', {
      detail: 'request target must be an absolute path',
    });
  }
  if (AMBIGUOUS.test(path)) {
    throw new HttpProblem(400, 'Bad Request', {
      type: 'https://shoal.dev/problems/ambiguous-path',
      detail: 'path must not contain dot segments, empty segments, backslashes or encoded / . \\',
    });
  }
  return path;
}

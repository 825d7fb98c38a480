// The routes the gateway serves and how a request finds its route, with the matching rules of
// the Kubernetes Ingress spec: hosts exact or `*.` wildcard (one label), paths Exact or Prefix
// (element-wise), longest path first, Exact before Prefix, older Ingress first on a tie.
import type { RoutePolicy } from './route-policy.ts';

/** How a path rule matches (ImplementationSpecific is served as Prefix). */
export type PathType = 'Exact' | 'Prefix';

/** One host/path rule and where it goes. */
export interface Route {
  /** Stable label for logs and metrics: `<namespace>/<ingress> <host><path>`. */
  readonly name: string;
  /** `<namespace>/<name>` of the Ingress the rule comes from. */
  readonly source: string;
  /** Exact host, `*.example.com`, or undefined for any host. */
  readonly host: string | undefined;
  /** The rule's path (`/` for a default backend). */
  readonly path: string;
  readonly pathType: PathType;
  /** A default backend: used only when no rule of any Ingress matches. */
  readonly fallback: boolean;
  /** Where matching requests go: `http://<service>.<namespace>.svc.cluster.local:<port>`. */
  readonly upstream: URL;
  /** The Service the Ingress names as backend (whose ready endpoints decide a 503). */
  readonly service?: { readonly namespace: string; readonly name: string };
  readonly policy: RoutePolicy;
  /** Creation time of the Ingress (ms), for conflicts: the older one wins, as in ingress-nginx. */
  readonly createdAt: number;
}

/** An immutable set of routes; a change builds a new table, so in-flight requests keep theirs. */
export class RouteTable {
  readonly routes: readonly Route[];
  readonly #exactHosts = new Map<string, Route[]>();
  readonly #wildcardHosts = new Map<string, Route[]>();
  readonly #anyHost: Route[] = [];
  readonly #fallbacks: Route[] = [];

  constructor(routes: readonly Route[]) {
    this.routes = routes;
    for (const route of routes) {
      if (route.fallback) this.#fallbacks.push(route);
      else if (route.host === undefined) this.#anyHost.push(route);
      else if (route.host.startsWith('*.')) push(this.#wildcardHosts, route.host.slice(1), route);
      else push(this.#exactHosts, route.host, route);
    }
    for (const list of [
      ...this.#exactHosts.values(),
      ...this.#wildcardHosts.values(),
      this.#anyHost,
      this.#fallbacks,
    ]) {
      list.sort(byPrecedence);
    }
  }

  /** An empty table: every request is a 404 until routes arrive. */
  static empty(): RouteTable {
    return new RouteTable([]);
  }

  /**
   * The route for a request: the exact host's rules first, then the wildcard's, then the
   * rules without a host, then default backends. `host` may carry a port; `path` has no query.
   */
  match(host: string | undefined, path: string): Route | undefined {
    const name = normalizeHost(host);
    if (name !== undefined) {
      const exact = firstMatch(this.#exactHosts.get(name), path);
      if (exact) return exact;
      const dot = name.indexOf('.');
      if (dot > 0) {
        const wildcard = firstMatch(this.#wildcardHosts.get(name.slice(dot)), path);
        if (wildcard) return wildcard;
      }
    }
    return firstMatch(this.#anyHost, path) ?? this.#fallbacks[0];
  }
}

/** Lower-case host without port or trailing dot; undefined when absent or not a host name. */
export function normalizeHost(host: string | undefined): string | undefined {
  if (host === undefined || host === '') return undefined;
  let name = host.toLowerCase();
  if (name.startsWith('[')) {
    const end = name.indexOf(']');
    return end > 0 ? name.slice(0, end + 1) : undefined;
  }
  const colon = name.indexOf(':');
  if (colon >= 0) name = name.slice(0, colon);
  if (name.endsWith('.')) name = name.slice(0, -1);
  return name === '' ? undefined : name;
}

/** Whether a request path matches a rule path (Ingress spec semantics). */
export function pathMatches(pathType: PathType, rulePath: string, path: string): boolean {
  if (pathType === 'Exact') return path === rulePath;
  const prefix = trimTrailingSlash(rulePath);
  if (prefix === '') return true;
  return path === prefix || (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 47);
}

function firstMatch(routes: readonly Route[] | undefined, path: string): Route | undefined {
  if (routes === undefined) return undefined;
  for (const route of routes) {
    if (pathMatches(route.pathType, route.path, path)) return route;
  }
  return undefined;
}

/** Longest path first; Exact before Prefix at equal length; then the older Ingress; then by name. */
function byPrecedence(a: Route, b: Route): number {
  const length = matchLength(b) - matchLength(a);
  if (length !== 0) return length;
  if (a.pathType !== b.pathType) return a.pathType === 'Exact' ? -1 : 1;
  if (a.createdAt !== b.createdAt) return a.createdAt - b.createdAt;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function matchLength(route: Route): number {
  return route.pathType === 'Exact' ? route.path.length : trimTrailingSlash(route.path).length;
}

function trimTrailingSlash(path: string): string {
  return path.endsWith('/') ? path.slice(0, -1) : path;
}

function push(map: Map<string, Route[]>, key: string, route: Route): void {
  const list = map.get(key);
  if (list) list.push(route);
  else map.set(key, [route]);
}

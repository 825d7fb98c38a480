// The gateway's request path, in order: route → CORS preflight → body limit → JWT → rate
// limit → a ready endpoint behind the route → header hygiene → proxy. Each refusal is a
// problem handed to `fail`. When the token and a rate-limit point are already at hand (the
// common case), the whole path runs synchronously up to the proxy: no promise, no microtask
// of our own.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { trace } from '@opentelemetry/api';
import { HttpProblem, chooseRequestId, routeNotFoundProblem } from '@shoal/kit';
import type { AuthContext, Logger } from '@shoal/kit';
import type { RequestHandler as ProxyHandler } from 'http-proxy-middleware';
import { checkDeclaredLength, countingStream } from '../policy/body-limit.ts';
import { answerPreflight, applyCors, isPreflight } from '../policy/cors.ts';
import type { EdgeAuth } from '../policy/edge-auth.ts';
import type { EdgeRateLimit } from '../policy/edge-rate-limit.ts';
import { routingPath } from '../routes/request-path.ts';
import type { Route, RouteTable } from '../routes/route-table.ts';
import { writeSocketProblem } from './edge-proxy.ts';
import { edgeRequest } from './request-state.ts';
import type { EdgeRequest } from './request-state.ts';
import type { TrustedProxies } from './trusted-proxies.ts';
import { noReadyUpstreamProblem } from './upstream-failure.ts';
import { prepareUpstreamHeaders } from './upstream-headers.ts';

/** What the edge handler works with; `routes()` is read per request, so swaps apply at once. */
export interface EdgeHandlerDeps {
  routes: () => RouteTable;
  auth: EdgeAuth;
  rateLimit: EdgeRateLimit;
  trustedProxies: TrustedProxies;
  proxy: ProxyHandler<IncomingMessage, ServerResponse>;
  logger: Logger;
  /** False when the route's Service has no ready endpoint: answered 503 (default: always true). */
  available?: (route: Route) => boolean;
}

/** Called with whatever refused or broke a request (an HttpProblem, or a bug). */
export type FailRequest = (error: unknown) => void;

/** The route a request goes to; throws a 400 (bad path) or 404 (no route) problem. */
export function matchRoute(table: RouteTable, req: IncomingMessage): Route {
  const path = routingPath(req.url);
  const route = table.match(req.headers.host, path);
  if (route === undefined) throw routeNotFoundProblem(req.method ?? 'GET', path);
  return route;
}

/**
 * Serves a request already matched to `route`: CORS, the route's policy, header hygiene, then
 * the proxy. Refusals (and proxy set-up errors) go to `fail`; upstream failures are answered
 * by the proxy itself.
 */
export function serveRoute(
  deps: EdgeHandlerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  state: EdgeRequest,
  route: Route,
  fail: FailRequest,
): void {
  state.route = route;
  const span = trace.getActiveSpan();
  if (span !== undefined) {
    span.updateName(`${req.method} ${route.name}`);
    span.setAttribute('http.route', route.name);
  }
  const { corsOrigins } = route.policy;
  if (corsOrigins.length > 0) {
    if (isPreflight(req)) {
      answerPreflight(req, res, corsOrigins);
      return;
    }
    applyCors(req, res, corsOrigins);
  }
  let pending: Promise<Record<string, string>> | Record<string, string>;
  try {
    pending = enforcePolicy(deps, req, state, route);
  } catch (error) {
    fail(error);
    return;
  }
  if (pending instanceof Promise) {
    // `.catch`: whatever throws on the way into the proxy is a refusal too, never an
    // unhandled rejection (which would end the process).
    pending.then((headers) => proxy(deps, req, res, state, headers, fail), fail).catch(fail);
  } else {
    proxy(deps, req, res, state, pending, fail);
  }
}

function proxy(
  deps: EdgeHandlerDeps,
  req: IncomingMessage,
  res: ServerResponse,
  state: EdgeRequest,
  rateLimitHeaders: Record<string, string>,
  fail: FailRequest,
): void {
  for (const name in rateLimitHeaders) res.setHeader(name, rateLimitHeaders[name] as string);
  if (state.route !== undefined && deps.available?.(state.route) === false) {
    fail(noReadyUpstreamProblem());
    return;
  }
  prepareUpstreamHeaders(req, {
    requestId: state.requestId,
    trustedProxies: deps.trustedProxies,
    upgrade: false,
    passHeaders: state.route?.policy.passHeaders,
  });
  // The proxy answers upstream failures itself (edge-proxy.ts); `next(error)` is only called
  // when it could not even start.
  deps.proxy(req, res, (error?: unknown) => fail(error ?? new Error('proxy gave up'))).catch(fail);
}

/**
 * The WebSocket side: an upgrade request gets the same routing and policy as any request,
 * then its socket is handed to the proxy. Refusals are written on the raw socket.
 */
export function edgeUpgradeHandler(deps: EdgeHandlerDeps) {
  return (req: IncomingMessage, socket: Socket, head: Buffer): void => {
    socket.on('error', () => socket.destroy()); // a client vanishing mid-handshake is not our error
    const state = edgeRequest(req);
    state.requestId = chooseRequestId(req.headers['x-request-id']);
    let rateHeaders: Record<string, string> = {};
    Promise.resolve()
      .then(async () => {
        const route = matchRoute(deps.routes(), req);
        state.route = route;
        rateHeaders = await enforcePolicy(deps, req, state, route);
        if (deps.available?.(route) === false) throw noReadyUpstreamProblem();
        prepareUpstreamHeaders(req, {
          requestId: state.requestId,
          trustedProxies: deps.trustedProxies,
          upgrade: true,
          passHeaders: route.policy.passHeaders,
        });
        deps.proxy.upgrade(req, socket, head);
      })
      .catch((error: unknown) => {
        const problem =
          error instanceof HttpProblem ? error : new HttpProblem(500, 'Internal Server Error');
        if (!(error instanceof HttpProblem)) {
          deps.logger.error('upgrade failed', { error: (error as Error).message });
        }
        writeSocketProblem(socket, problem.status, problem.title, {
          ...rateHeaders,
          ...problem.headers,
        });
      });
  };
}

/**
 * Body limit, JWT and rate limit. Gives the RateLimit-* headers to send (empty when the route
 * has no limit): synchronously when the token was cached and a leased point was left, else a
 * promise. Throws (or rejects with) the refusal.
 */
function enforcePolicy(
  deps: EdgeHandlerDeps,
  req: IncomingMessage,
  state: EdgeRequest,
  route: Route,
): Record<string, string> | Promise<Record<string, string>> {
  const lengthKnown = checkDeclaredLength(req, route.policy.bodyLimitBytes);
  const auth = deps.auth.authenticate(route.policy.auth, req.headers.authorization);
  if (auth instanceof Promise) {
    return auth.then((verified) => limitAndCount(deps, req, state, route, verified, lengthKnown));
  }
  return limitAndCount(deps, req, state, route, auth, lengthKnown);
}

/** The headers of a route without a rate limit (shared, never written to). */
const NO_HEADERS: Record<string, string> = Object.freeze({});

function limitAndCount(
  deps: EdgeHandlerDeps,
  req: IncomingMessage,
  state: EdgeRequest,
  route: Route,
  auth: AuthContext | undefined,
  lengthKnown: boolean,
): Record<string, string> | Promise<Record<string, string>> {
  state.subject = auth?.sub;
  const { rateLimit, bodyLimitBytes } = route.policy;
  if (rateLimit === undefined) {
    if (!lengthKnown) countBody(req, state, bodyLimitBytes);
    return NO_HEADERS;
  }
  const caller =
    auth === undefined
      ? `ip:${deps.trustedProxies.clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'])}`
      : `sub:${auth.sub}`;
  // A 429 carries its RateLimit-* headers in the problem itself.
  const headers = deps.rateLimit.consume(route.source, rateLimit, caller);
  if (lengthKnown) return headers;
  if (headers instanceof Promise) {
    return headers.then((value) => {
      countBody(req, state, bodyLimitBytes);
      return value;
    });
  }
  countBody(req, state, bodyLimitBytes);
  return headers;
}

/**
 * A chunked body: count it on its way through. Set up last, so a refused request never
 * starts reading its body.
 */
function countBody(req: IncomingMessage, state: EdgeRequest, limit: number): void {
  const counter = countingStream(limit);
  counter.once('error', (error) => {
    state.bodyError = error;
    req.unpipe(counter);
  });
  req.pipe(counter);
  state.bodyCounter = counter;
}

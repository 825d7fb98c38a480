// The gateway's request path, in order: route → CORS preflight → body limit → JWT → rate
// limit → header hygiene → proxy. Each refusal is a problem+json thrown to the kit's handler.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { RequestHandler } from 'express';
import { trace } from '@opentelemetry/api';
import { HttpProblem, chooseRequestId, getRequestId, routeNotFoundProblem } from '@shoal/kit';
import type { Logger } from '@shoal/kit';
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
import { prepareUpstreamHeaders } from './upstream-headers.ts';

/** What the edge handler works with; `routes()` is read per request, so swaps apply at once. */
export interface EdgeHandlerDeps {
  routes: () => RouteTable;
  auth: EdgeAuth;
  rateLimit: EdgeRateLimit;
  trustedProxies: TrustedProxies;
  proxy: ProxyHandler<IncomingMessage, ServerResponse>;
  logger: Logger;
}

/** The Express handler that routes, enforces the route's policy and proxies. */
export function edgeHandler(deps: EdgeHandlerDeps): RequestHandler {
  return async (req, res, next) => {
    const state = edgeRequest(req);
    const route = matchRoute(deps.routes(), req);
    state.route = route;
    trace.getActiveSpan()?.updateName(`${req.method} ${route.name}`);

    const { corsOrigins } = route.policy;
    if (corsOrigins.length > 0) {
      if (isPreflight(req)) {
        answerPreflight(req, res, corsOrigins);
        return;
      }
      applyCors(req, res, corsOrigins);
    }
    await enforcePolicy(deps, req, state, route, (headers) => res.set(headers));
    prepareUpstreamHeaders(req, {
      requestId: getRequestId() ?? chooseRequestId(undefined),
      trustedProxies: deps.trustedProxies,
      upgrade: false,
    });
    await deps.proxy(req, res, next);
  };
}

/**
 * The WebSocket side: an upgrade request gets the same routing and policy as any request,
 * then its socket is handed to the proxy. Refusals are written on the raw socket.
 */
export function edgeUpgradeHandler(deps: EdgeHandlerDeps) {
  return (req: IncomingMessage, socket: Socket, head: Buffer): void => {
    socket.on('error', () => socket.destroy()); // a client vanishing mid-handshake is not our error
    const state = edgeRequest(req);
    let rateHeaders: Record<string, string> = {};
    Promise.resolve()
      .then(async () => {
        const route = matchRoute(deps.routes(), req);
        state.route = route;
        await enforcePolicy(deps, req, state, route, (headers) => (rateHeaders = headers));
        prepareUpstreamHeaders(req, {
          requestId: chooseRequestId(req.headers['x-request-id']),
          trustedProxies: deps.trustedProxies,
          upgrade: true,
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

function matchRoute(table: RouteTable, req: IncomingMessage): Route {
  const path = routingPath(req.url);
  const route = table.match(req.headers.host, path);
  if (route === undefined) throw routeNotFoundProblem(req.method ?? 'GET', path);
  return route;
}

async function enforcePolicy(
  deps: EdgeHandlerDeps,
  req: IncomingMessage,
  state: EdgeRequest,
  route: Route,
  setHeaders: (headers: Record<string, string>) => void,
): Promise<void> {
  const { policy } = route;
  const lengthKnown = checkDeclaredLength(req, policy.bodyLimitBytes);
  const auth = await deps.auth.authenticate(policy.auth, req.headers.authorization);
  state.subject = auth?.sub;
  if (policy.rateLimit !== undefined) {
    const caller =
      auth === undefined
        ? `ip:${deps.trustedProxies.clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'])}`
        : `sub:${auth.sub}`;
    // A 429 carries its RateLimit-* headers in the problem itself.
    setHeaders(await deps.rateLimit.consume(route.source, policy.rateLimit, caller));
  }
  if (!lengthKnown) {
    // A chunked body: count it on its way through (set up last, so a refused request never
    // starts reading its body).
    const counter = countingStream(policy.bodyLimitBytes);
    counter.once('error', (error) => {
      state.bodyError = error;
      req.unpipe(counter);
    });
    req.pipe(counter);
    state.bodyCounter = counter;
  }
}

// The public port's request listener. Proxied requests take a lean path on plain node:http
// objects: request id, observation, route match, policy, then straight into the
// http-proxy-middleware instance (a plain `(req, res, next)` function). They never walk
// Express' router and middleware stack, which would cost more than all of the gateway's own
// work. Express still serves what is not proxied: /docs, and every refusal (the kit's
// problem+json error middleware renders it).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Express } from 'express';
import {
  REQUEST_ID_HEADER,
  chooseRequestId,
  createRequestLogger,
  requestContext,
} from '@shoal/kit';
import type { Health, Logger, RequestContext } from '@shoal/kit';
import { DOCS_PATH } from '../docs/swagger-docs.ts';
import type { RequestObserver } from '../http/observe-requests.ts';
import { matchRoute, serveRoute } from './edge-handler.ts';
import type { EdgeHandlerDeps } from './edge-handler.ts';
import { edgeRequest } from './request-state.ts';
import type { EdgeRequest } from './request-state.ts';

/** What the front handler hands work to. */
export interface FrontHandlerOptions {
  deps: EdgeHandlerDeps;
  /**
   * Express, for /docs and refusals: a request whose state carries a `refusal` must be
   * answered with it (see `refusalMiddleware`).
   */
  app: Express;
  /** Whether /docs is served. */
  docs: boolean;
  health: Health;
  observer: RequestObserver;
  logger: Logger;
}

/** The `request` listener of the public server. */
export function frontHandler(
  options: FrontHandlerOptions,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { deps, app, docs, health, observer, logger } = options;

  const fail = (req: IncomingMessage, res: ServerResponse, error: unknown): void => {
    if (res.headersSent || res.destroyed) {
      // Too late for a problem document: the only honest thing left is to cut the connection.
      res.destroy();
      return;
    }
    const state = edgeRequest(req);
    if (state.refusal !== undefined) return; // already being answered
    state.refusal = error ?? new Error('request failed');
    void app(req, res);
  };

  const route = (req: IncomingMessage, res: ServerResponse, state: EdgeRequest): void => {
    // Nothing thrown here may escape: an exception in a 'request' listener ends the process.
    try {
      if (docs && isDocsPath(req.url)) {
        void app(req, res);
        return;
      }
      const matched = matchRoute(deps.routes(), req);
      serveRoute(deps, req, res, state, matched, (error) => fail(req, res, error));
    } catch (error) {
      fail(req, res, error);
    }
  };

  return (req, res) => {
    const state = edgeRequest(req);
    const requestId = chooseRequestId(req.headers['x-request-id']);
    state.requestId = requestId;
    res.setHeader(REQUEST_ID_HEADER, requestId);
    // While draining, keep-alive clients are told to reconnect (to another replica).
    if (health.draining) res.setHeader('Connection', 'close');
    observer.watch(res, state);
    // Lines any kit logger writes while serving carry the request id. The child logger is
    // made only if asked for.
    let requestLogger: Logger | undefined;
    const context: RequestContext = {
      requestId,
      get logger() {
        return (requestLogger ??= createRequestLogger(logger, requestId));
      },
    };
    requestContext.run(context, route, req, res, state);
  };
}

/** `/docs`, `/docs/...` or `/docs?...`. */
function isDocsPath(url: string | undefined): boolean {
  if (url === undefined || !url.startsWith(DOCS_PATH)) return false;
  const next = url.charCodeAt(DOCS_PATH.length);
  return Number.isNaN(next) || next === 47 /* / */ || next === 63; /* ? */
}

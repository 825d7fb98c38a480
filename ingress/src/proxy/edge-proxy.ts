// The one proxy of the gateway (http-proxy-middleware v4, created once): the target is the
// route already matched for the request, bodies stream through unparsed, upstream connections
// come from one keep-alive pool, and every upstream failure ends as a problem response.
import type { Agent, ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { createProxyMiddleware, proxyEventsPlugin } from 'http-proxy-middleware';
import type { RequestHandler } from 'http-proxy-middleware';
import type { Logger } from '@shoal/kit';
import { sendProblem } from '../http/send-problem.ts';
import { edgeRequest } from './request-state.ts';
import { cleanResponseHeaders } from './upstream-headers.ts';
import { UpstreamTimeoutError, upstreamProblem } from './upstream-failure.ts';
import { isRetryableUpstreamFailure } from './upstream-retry.ts';

/** Options of the edge proxy. */
export interface EdgeProxyOptions {
  agent: Agent;
  logger: Logger;
}

/** Builds the proxy handler; `.upgrade(req, socket, head)` passes WebSocket upgrades through. */
export function createEdgeProxy(
  options: EdgeProxyOptions,
): RequestHandler<IncomingMessage, ServerResponse> {
  const { agent, logger } = options;
  const proxy = createProxyMiddleware<IncomingMessage, ServerResponse>({
    // The route was matched (and its policy enforced) before the proxy runs; httpxy uses
    // the per-request copy of these options, so setting `buffer` here stays per request.
    router: (req, _res, proxyOptions) => {
      const state = edgeRequest(req);
      if (state.route === undefined) throw new Error('proxy reached without a route');
      if (state.bodyCounter !== undefined) proxyOptions.buffer = state.bodyCounter;
      return state.route.upstream;
    },
    agent,
    xfwd: false, // X-Forwarded-* are set by prepareUpstreamHeaders, with the trust rules
    changeOrigin: false, // services see the Host the client asked for
    ws: false, // upgrades are routed by the gateway's own upgrade handler
    // Errors are ours to answer (problem+json), not HPM's text page: keep only the plugin
    // that wires the `on` handlers below.
    ejectPlugins: true,
    plugins: [proxyEventsPlugin],
    on: {
      proxyReq: (proxyReq: ClientRequest, req: IncomingMessage) => {
        // Nagle on a request/response socket adds the peer's delayed-ACK wait to small
        // writes; nginx and Node's own server turn it off too.
        proxyReq.setNoDelay(true);
        const state = edgeRequest(req);
        state.upstreamAttempts++;
        state.reusedSocket = proxyReq.reusedSocket;
        const timeoutMs = state.route?.policy.timeoutMs ?? 60_000;
        proxyReq.setTimeout(timeoutMs, () => proxyReq.destroy(new UpstreamTimeoutError(timeoutMs)));
        if (state.bodyError) proxyReq.destroy(state.bodyError);
        state.bodyCounter?.once('error', (error) => proxyReq.destroy(error));
      },
      proxyReqWs: (proxyReq: ClientRequest, req: IncomingMessage) => {
        const timeoutMs = edgeRequest(req).route?.policy.timeoutMs ?? 60_000;
        // Only the handshake is bounded; an open WebSocket may stay quiet as long as it likes.
        const timer = setTimeout(
          () => proxyReq.destroy(new UpstreamTimeoutError(timeoutMs)),
          timeoutMs,
        );
        proxyReq.once('upgrade', () => clearTimeout(timer));
        proxyReq.once('response', () => clearTimeout(timer));
        proxyReq.once('close', () => clearTimeout(timer));
      },
      proxyRes: (proxyRes: IncomingMessage, req: IncomingMessage, res: ServerResponse) => {
        cleanResponseHeaders(proxyRes.headers);
        // A draining gateway told the client to reconnect (front handler: `Connection: close`);
        // httpxy would put the client's own `keep-alive` back, and the client would keep
        // sending on a connection about to be closed under it.
        const ours = res.getHeader('connection');
        if (typeof ours === 'string') proxyRes.headers.connection = ours;
        const state = edgeRequest(req);
        const declared = Number(proxyRes.headers['content-length']);
        if (Number.isSafeInteger(declared)) {
          state.upstreamBytes = declared;
        } else {
          // Chunked: count as it flows (a listener beside the pipe, no buffering).
          proxyRes.on('data', (chunk: Buffer) => {
            state.upstreamBytes += chunk.length;
          });
        }
      },
      error: (error: Error, req: IncomingMessage, res: ServerResponse | Socket) => {
        const state = edgeRequest(req);
        if (
          'writeHead' in res &&
          isRetryableUpstreamFailure(error, req, res, {
            count: state.upstreamAttempts,
            reusedSocket: state.reusedSocket,
          })
        ) {
          logger.info('upstream dropped a reused connection; retrying once', {
            request_id: state.requestId,
            route: state.route?.name,
            error: error.message,
          });
          // A bodiless request was fully read: piping it again just ends the new call's body.
          // If the retry cannot even start, the client gets the first failure's answer.
          const giveUp = () => {
            if (!res.headersSent) sendProblem(req, res, upstreamProblem(error).problem);
          };
          proxy(req, res, giveUp).catch(giveUp);
          return;
        }
        const { problem, reason } = upstreamProblem(error);
        state.upstreamError = reason;
        logger.warn('upstream call failed', {
          // Explicit: a pooled socket's callbacks do not run in this request's async context.
          request_id: state.requestId,
          route: state.route?.name,
          upstream: state.route?.upstream.host,
          reason,
          error: error.message,
        });
        if ('writeHead' in res) {
          if (problem.status === 413) res.setHeader('Connection', 'close'); // the rest of the body is unread
          sendProblem(req, res, problem);
        } else {
          writeSocketProblem(res, problem.status, problem.title);
        }
      },
    },
  });
  return proxy;
}

/** A raw HTTP error on a socket whose upgrade failed (there is no response object). */
export function writeSocketProblem(
  socket: Socket,
  status: number,
  title: string,
  headers: Record<string, string> = {},
): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ type: 'about:blank', title, status });
  const extra = Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`,
  );
}

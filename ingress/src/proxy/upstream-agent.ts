import { Agent } from 'node:http';

/**
 * The keep-alive pool to the upstreams, shared by every route. Idle sockets are closed after
 * `idleMs`, below the upstream's own keep-alive (Node servers: 5 s), so we never reuse a
 * socket the upstream is closing at that very moment (which would fail the request). LIFO
 * keeps the hottest sockets busy and lets the rest expire.
 */
export function createUpstreamAgent(options: { idleMs: number; maxSockets: number }): Agent {
  return new Agent({
    keepAlive: true,
    keepAliveMsecs: 1000,
    timeout: options.idleMs,
    maxSockets: options.maxSockets,
    maxFreeSockets: Math.min(options.maxSockets, 512),
    scheduling: 'lifo',
  });
}

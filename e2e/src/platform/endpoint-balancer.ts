// What a Kubernetes Service and kube-proxy do for a Deployment, on loopback: one stable address
// in front of a component's instances, spreading TCP connections over those in rotation.
// The gateway's LocalBackends (and the services' URLs of each other) point here, so an
// instance can be restarted, killed or doubled without anyone's configuration changing.
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

/** One place a connection can go. */
export interface Endpoint {
  readonly id: string;
  readonly port: number;
  /** In rotation: started, last /readyz answered 200, and not being stopped. */
  inRotation(): boolean;
  /** The process is alive (a not-ready instance still answers, with 503). */
  isRunning(): boolean;
}

/** A listening balancer; `close()` stops accepting and cuts the connections it carries. */
export interface EndpointBalancer {
  readonly port: number;
  readonly url: string;
  add(endpoint: Endpoint): void;
  remove(endpointId: string): void;
  endpoints(): readonly Endpoint[];
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1:`port` (0 = any free port). Each new connection goes to the next
 * endpoint in rotation (round robin); when none is in rotation it goes to any running one
 * (so a client sees the instance's own 503 rather than a refused connection), and when none
 * runs it is closed. A connect that fails (an instance just killed) moves on to the next
 * candidate: nothing was sent yet, so that retry is always safe.
 */
export async function startEndpointBalancer(port = 0): Promise<EndpointBalancer> {
  const endpoints: Endpoint[] = [];
  const open = new Set<Socket>();
  let next = 0;

  const candidates = (): Endpoint[] => {
    const inRotation = endpoints.filter((endpoint) => endpoint.inRotation());
    const pool = inRotation.length > 0 ? inRotation : endpoints.filter((e) => e.isRunning());
    if (pool.length === 0) return [];
    const start = next++ % pool.length;
    return [...pool.slice(start), ...pool.slice(0, start)];
  };

  const track = (socket: Socket): void => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
  };

  const forward = (client: Socket, remaining: Endpoint[]): void => {
    const endpoint = remaining.shift();
    if (endpoint === undefined) {
      client.destroy();
      return;
    }
    const upstream = connect({ host: '127.0.0.1', port: endpoint.port, allowHalfOpen: true });
    track(upstream);
    let connected = false;
    upstream.once('error', () => {
      if (connected) return;
      // Refused before anything was forwarded (an instance just killed): the next one gets it.
      upstream.destroy();
      if (!client.destroyed) forward(client, remaining);
    });
    upstream.once('connect', () => {
      connected = true;
      if (client.destroyed) {
        // The client gave up while we were connecting.
        upstream.destroy();
        return;
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      // The instance closed (e.g. after a `Connection: close` answer while draining): end the
      // client's side once what was piped is flushed. destroy() here could drop the tail of
      // that last answer, which the client would see as a reset.
      upstream.once('close', () => {
        client.end();
        setTimeout(() => client.destroy(), 1_000).unref();
      });
      client.once('close', () => upstream.destroy());
    });
  };

  const server: Server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    track(client);
    client.on('error', () => client.destroy());
    forward(client, candidates());
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const bound = (server.address() as AddressInfo).port;

  return {
    port: bound,
    url: `http://127.0.0.1:${bound}`,
    add(endpoint) {
      endpoints.push(endpoint);
    },
    remove(endpointId) {
      const index = endpoints.findIndex((endpoint) => endpoint.id === endpointId);
      if (index >= 0) endpoints.splice(index, 1);
    },
    endpoints: () => [...endpoints],
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of open) socket.destroy();
      await closed;
    },
  };
}

// An endpoint that can be made to vanish: a loopback TCP forwarder in front of a real server
// (the shared ElasticMQ). cut() closes its port and every connection through it, so clients get
// "connection refused" exactly as when the server is gone; restore() opens the same port again.
// The real server, which others use, is never touched.
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

/** A forwarder whose port can be closed and reopened. */
export interface TcpCut {
  readonly port: number;
  readonly url: string;
  /** Whether connections are being forwarded. */
  isOpen(): boolean;
  /** Closes the port and drops every connection. */
  cut(): Promise<void>;
  /** Listens on the same port again. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** Starts forwarding 127.0.0.1:<free port> to `target` (`http://host:port`). */
export async function startTcpCut(target: string): Promise<TcpCut> {
  const { hostname, port: targetPort } = new URL(target);
  const open = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;

  const listen = async (): Promise<void> => {
    const created = createServer((client) => {
      open.add(client);
      const upstream = connect({ host: hostname, port: Number(targetPort) });
      open.add(upstream);
      client.pipe(upstream);
      upstream.pipe(client);
      const drop = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', drop);
      upstream.on('error', drop);
      client.once('close', () => {
        open.delete(client);
        upstream.destroy();
      });
      upstream.once('close', () => {
        open.delete(upstream);
        client.destroy();
      });
    });
    created.listen(port, '127.0.0.1');
    await once(created, 'listening');
    port = (created.address() as AddressInfo).port;
    server = created;
  };

  const cut = async (): Promise<void> => {
    const current = server;
    server = undefined;
    if (current === undefined) return;
    const closed = new Promise<void>((resolve) => current.close(() => resolve()));
    for (const socket of open) socket.destroy();
    await closed;
  };

  await listen();
  return {
    get port() {
      return port;
    },
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    isOpen: () => server !== undefined,
    cut,
    restore: async () => {
      if (server === undefined) await listen();
    },
    close: cut,
  };
}

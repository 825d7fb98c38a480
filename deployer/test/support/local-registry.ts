// Stand-ins for a container registry on 127.0.0.1, so that tests of `shoal up`'s registry
// probe never send a packet anywhere else: a server answering every request with a status
// (401 like Docker Hub), one that never answers, and a port nothing listens on.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local server and the `/v2/` URL to probe it with. */
export interface LocalRegistry {
  url: string;
  close(): Promise<void>;
}

/** A server on 127.0.0.1 answering every request with `status`, or never (`null`). */
export async function localRegistry(status: number | null): Promise<LocalRegistry> {
  const server = createServer((_request, response) => {
    if (status === null) return; // holds the request open: a black hole
    response.writeHead(status, { 'www-authenticate': 'Bearer realm="http://127.0.0.1/token"' });
    response.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v2/`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The `/v2/` URL of a port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v2/`;
}

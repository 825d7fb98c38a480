// A real HTTP server publishing a JWKS of keys generated at test time; keys can rotate.
import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwksFromKeys } from '../../src/auth/jwks-document.ts';

export interface SigningKeyPair {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A fresh 2048-bit RSA key pair with the given key id. */
export function generateSigningKey(kid: string): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey };
}

export interface JwksServer {
  url: string;
  /** How many times the JWKS was fetched. */
  fetches: () => number;
  /** Replaces the published keys (rotation). */
  publish: (keys: SigningKeyPair[]) => void;
  close: () => Promise<void>;
}

/** Starts a JWKS endpoint on 127.0.0.1 publishing `keys`. */
export async function startJwksServer(keys: SigningKeyPair[]): Promise<JwksServer> {
  let published = keys;
  let fetches = 0;
  const server = createServer((req, res) => {
    if (req.url !== '/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    fetches++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(jwksFromKeys(published)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    fetches: () => fetches,
    publish: (next) => {
      published = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

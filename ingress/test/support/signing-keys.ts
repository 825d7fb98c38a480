// Keys made at test time, published as a JWKS by a real HTTP server, and tokens signed with
// them — including the forged ones the edge must refuse.
import { generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';
import { jwksFromKeys } from '@shoal/kit';

export const ISSUER = 'shoal-auth';
export const AUDIENCE = 'shoal';

/** An RSA signing key with its id. */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** A fresh RSA-2048 key. */
export function generateSigningKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, publicKey };
}

/** Signs an RS256 access token (sub, iss, aud, exp 5 min) with overridable claims. */
export function signToken(key: SigningKey, claims: Record<string, unknown> = {}): string {
  const now = Math.floor(Date.now() / 1000);
  return jwt.sign(
    { sub: 'user-1', iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 300, ...claims },
    key.privateKey,
    {
      algorithm: 'RS256',
      keyid: key.kid,
    },
  );
}

/** A running JWKS endpoint. */
export interface JwksServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `{ keys }` at /.well-known/jwks.json on 127.0.0.1. */
export async function startJwksServer(keys: SigningKey[]): Promise<JwksServer> {
  const server = createServer((req, res) => {
    if (req.url !== '/.well-known/jwks.json') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(jwksFromKeys(keys)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

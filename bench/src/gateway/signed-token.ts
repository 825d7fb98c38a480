// A key pair made for the run, its JWKS on a local HTTP server, and an RS256 token signed
// with it: what the gateway verifies on every benchmarked request.
import { createSign, generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwksFromKeys } from '@shoal/kit';

/** The JWKS server and a token it vouches for. */
export interface TokenFixture {
  jwksUrl: string;
  token: string;
  server: Server;
}

/** Serves a fresh key's JWKS and signs a token (iss shoal-auth, aud shoal, 1 h). */
export async function startTokenFixture(): Promise<TokenFixture> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'bench-key';
  const jwks = JSON.stringify(jwksFromKeys([{ kid, publicKey }]));
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const unsigned = `${encode({ alg: 'RS256', typ: 'JWT', kid })}.${encode({ sub: 'bench-user', iss: 'shoal-auth', aud: 'shoal', iat: now, exp: now + 3600 })}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(privateKey, 'base64url');
  const { port } = server.address() as AddressInfo;
  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    token: `${unsigned}.${signature}`,
    server,
  };
}

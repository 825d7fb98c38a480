import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import jwt from 'jsonwebtoken';

/**
 * Signs RS256 tokens like the auth service does, with a key generated for this test run, and
 * serves its JWKS from a real HTTP server, so the service verifies them through the kit's
 * jwtAuth exactly as in production.
 */
export class TokenIssuer {
  readonly issuer = 'shoal-auth-test';
  readonly audience = 'shoal';
  readonly #kid = randomUUID();
  readonly #privateKey: KeyObject;
  readonly #server: Server;
  #jwksUrl = '';

  private constructor(privateKey: KeyObject, publicKey: KeyObject) {
    this.#privateKey = privateKey;
    // The JWKS the auth service publishes: one RSA signing key named by its kid.
    const document = JSON.stringify({
      keys: [{ ...publicKey.export({ format: 'jwk' }), kid: this.#kid, alg: 'RS256', use: 'sig' }],
    });
    this.#server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(document);
    });
  }

  /** Generates a key and starts serving its JWKS on 127.0.0.1. */
  static async start(): Promise<TokenIssuer> {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const issuer = new TokenIssuer(privateKey, publicKey);
    issuer.#server.listen(0, '127.0.0.1');
    await once(issuer.#server, 'listening');
    const { port } = issuer.#server.address() as AddressInfo;
    issuer.#jwksUrl = `http://127.0.0.1:${port}/.well-known/jwks.json`;
    return issuer;
  }

  /** Where the JWKS is served. */
  get jwksUrl(): string {
    return this.#jwksUrl;
  }

  /** A token for `sub` with these roles and scopes (a user token unless `clientId` is set). */
  token(options: { sub?: string; roles?: string[]; scope?: string[]; clientId?: string } = {}) {
    return jwt.sign(
      {
        roles: options.roles ?? ['user'],
        scope: (options.scope ?? []).join(' '),
        ...(options.clientId === undefined ? {} : { client_id: options.clientId }),
      },
      this.#privateKey,
      {
        algorithm: 'RS256',
        keyid: this.#kid,
        issuer: this.issuer,
        audience: this.audience,
        subject: options.sub ?? randomUUID(),
        expiresIn: 300,
      },
    );
  }

  /** Stops serving the JWKS. */
  async stop(): Promise<void> {
    this.#server.close();
    await once(this.#server, 'close');
  }
}

import express, { Router } from 'express';
import type { Request } from 'express';
import { HttpProblem, unsupportedMediaTypeProblem } from '@shoal/kit';
import type { AccessTokens } from '../domain/access-tokens.ts';
import type { ClientRegistry } from '../domain/client-registry.ts';
import { InvalidClientError } from '../domain/errors.ts';
import { clientCredentialsBody } from './request-schemas.ts';
import { sendTokens } from './session-routes.ts';

/** Client id and secret from `Authorization: Basic` (RFC 6749 §2.3.1), if present. */
function basicCredentials(req: Request): { id: string; secret: string } | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header);
  if (match === null) throw new InvalidClientError();
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new InvalidClientError();
  try {
    // The id and secret are form-urlencoded before being joined (RFC 6749 §2.3.1).
    const unescape = (text: string) => decodeURIComponent(text.replace(/\+/g, ' '));
    return { id: unescape(decoded.slice(0, colon)), secret: unescape(decoded.slice(colon + 1)) };
  } catch {
    throw new InvalidClientError();
  }
}

/**
 * `POST /token`: the client-credentials grant for service-to-service calls. Accepts the
 * OAuth form encoding and JSON; the client authenticates with Basic or in the body.
 */
export function clientTokenRoute(
  clients: ClientRegistry,
  accessTokens: AccessTokens,
  bodyLimitBytes: number,
): Router {
  const router = Router();
  router.post(
    '/',
    (req, _res, next) => {
      const type = req.headers['content-type'] ?? '';
      if (!/^application\/(x-www-form-urlencoded|json)\s*(;|$)/i.test(type)) {
        throw unsupportedMediaTypeProblem(req.headers['content-type']);
      }
      next();
    },
    express.urlencoded({ extended: false, limit: bodyLimitBytes, parameterLimit: 20 }),
    express.json({ limit: bodyLimitBytes }),
    async (req, res) => {
      const body = clientCredentialsBody.parse(req.body);
      const basic = basicCredentials(req);
      if (
        basic !== undefined &&
        (body.client_id !== undefined || body.client_secret !== undefined)
      ) {
        throw new HttpProblem(400, 'Bad Request', {
          detail: 'authenticate the client with Basic or in the body, not both',
          extensions: { error: 'invalid_request' },
        });
      }
      const id = basic?.id ?? body.client_id;
      const secret = basic?.secret ?? body.client_secret;
      if (id === undefined || secret === undefined) throw new InvalidClientError();
      const scopes = clients.grant(id, secret, body.scope);
      const access = await accessTokens.issue({ sub: id, roles: [], scope: scopes, clientId: id });
      sendTokens(res, {
        access_token: access.token,
        token_type: 'Bearer',
        expires_in: access.expiresInSec,
        scope: scopes.join(' '),
      });
    },
  );
  return router;
}

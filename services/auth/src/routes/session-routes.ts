import { Router } from 'express';
import type { RequestHandler, Response } from 'express';
import type { Accounts, TokenPair } from '../domain/accounts.ts';
import { toPublicUser } from '../domain/model.ts';
import { loginBody, refreshTokenBody, registerBody } from './request-schemas.ts';

/** RFC 6749 §5.1: token responses must not be cached anywhere. */
export function sendTokens(res: Response, body: Record<string, unknown>): void {
  res.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' }).json(body);
}

function tokenPairBody(pair: TokenPair): Record<string, unknown> {
  return {
    access_token: pair.accessToken,
    token_type: 'Bearer',
    expires_in: pair.expiresInSec,
    refresh_token: pair.refreshToken,
  };
}

/** register, login, refresh, logout; `registrationLimit` guards the costly register. */
export function sessionRoutes(accounts: Accounts, registrationLimit: RequestHandler): Router {
  const router = Router();

  router.post('/register', registrationLimit, async (req, res) => {
    const input = registerBody.parse(req.body);
    const user = await accounts.register(input);
    res.status(201).location(`/api/auth/users/${user.id}`).json(toPublicUser(user));
  });

  router.post('/login', async (req, res) => {
    const input = loginBody.parse(req.body);
    const pair = await accounts.login({ ...input, address: req.ip ?? 'unknown' });
    sendTokens(res, tokenPairBody(pair));
  });

  router.post('/refresh', async (req, res) => {
    const { refresh_token } = refreshTokenBody.parse(req.body);
    sendTokens(res, tokenPairBody(await accounts.refresh(refresh_token)));
  });

  router.post('/logout', async (req, res) => {
    const { refresh_token } = refreshTokenBody.parse(req.body);
    await accounts.logout(refresh_token);
    res.status(204).end();
  });

  return router;
}

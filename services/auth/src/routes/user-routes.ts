import { Router } from 'express';
import type { RequestHandler } from 'express';
import { HttpProblem, requireRole } from '@shoal/kit';
import { ADMIN_ROLE } from '../domain/accounts.ts';
import type { Accounts } from '../domain/accounts.ts';
import { toPublicUser } from '../domain/model.ts';
import { listUsersQuery, setRolesBody, userIdParams } from './request-schemas.ts';

/** `/me` and the admin-only user management. */
export function userRoutes(accounts: Accounts, authenticate: RequestHandler): Router {
  const router = Router();

  router.get('/me', authenticate, async (req, res) => {
    const caller = req.auth;
    // Service tokens (client credentials) have a client id as subject, not an account.
    if (caller === undefined || caller.claims['client_id'] !== undefined) {
      throw new HttpProblem(403, 'Forbidden', { detail: '/me is for user tokens' });
    }
    res.set('Cache-Control', 'no-store').json(toPublicUser(await accounts.get(caller.sub)));
  });

  router.get('/users', authenticate, requireRole(ADMIN_ROLE), async (req, res) => {
    const query = listUsersQuery.parse(req.query);
    const page = await accounts.list(query.cursor ?? null, query.limit);
    res.set('Cache-Control', 'no-store').json({
      items: page.users.map(toPublicUser),
      next_cursor: page.nextCursor,
    });
  });

  router.put('/users/:id/roles', authenticate, requireRole(ADMIN_ROLE), async (req, res) => {
    const { id } = userIdParams.parse(req.params);
    const { roles } = setRolesBody.parse(req.body);
    res.json(toPublicUser(await accounts.setRoles(id, roles)));
  });

  return router;
}

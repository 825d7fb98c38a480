import { Router } from 'express';
import type { Request, RequestHandler } from 'express';
import {
  HttpProblem,
  isJsonMediaType,
  requireRole,
  requireScope,
  unsupportedMediaTypeProblem,
} from '@shoal/kit';
import type { Caller, Profiles } from '../domain/profiles.ts';
import { decodeCursor, encodeCursor, toContact, toPublicProfile } from './profile-view.ts';
import { contactQuery, listUsersQuery, profilePatchBody, userIdParams } from './request-schemas.ts';

export const ADMIN_ROLE = 'admin';
/** The scope a service token needs to read contact details. */
export const CONTACT_SCOPE = 'users:read';

/** The calling user; service tokens (client credentials) have no profile, so they get 403. */
function userCaller(req: Request): Caller {
  const auth = req.auth;
  if (auth === undefined || auth.claims['client_id'] !== undefined) {
    throw new HttpProblem(403, 'Forbidden', { detail: 'this endpoint is for user tokens' });
  }
  return { id: auth.sub, isAdmin: auth.roles.includes(ADMIN_ROLE) };
}

/** The kit also parses forms; this API documents JSON bodies only, so it takes nothing else. */
const jsonBodyOnly: RequestHandler = (req, _res, next) => {
  const contentType = req.headers['content-type'];
  if (!isJsonMediaType(contentType)) throw unsupportedMediaTypeProblem(contentType);
  next();
};

/** `/me`, `/{id}`, the admin listing and the service-facing `/{id}/contact`. */
export function profileRoutes(profiles: Profiles, authenticate: RequestHandler): Router {
  const router = Router();

  router.get('/me', authenticate, async (req, res) => {
    const profile = await profiles.me(userCaller(req).id);
    res.set('Cache-Control', 'no-store').json(toPublicProfile(profile));
  });

  router.patch('/me', authenticate, jsonBodyOnly, async (req, res) => {
    const caller = userCaller(req);
    const changes = profilePatchBody.parse(req.body);
    res
      .set('Cache-Control', 'no-store')
      .json(toPublicProfile(await profiles.update(caller.id, changes)));
  });

  router.delete('/me', authenticate, async (req, res) => {
    await profiles.remove(userCaller(req).id);
    res.status(204).end();
  });

  router.get('/', authenticate, requireRole(ADMIN_ROLE), async (req, res) => {
    const query = listUsersQuery.parse(req.query);
    const page = await profiles.list({
      limit: query.limit,
      ...(query.q === undefined ? {} : { query: query.q }),
      ...(query.cursor === undefined ? {} : { afterId: decodeCursor(query.cursor) }),
    });
    res.set('Cache-Control', 'no-store').json({
      items: page.profiles.map(toPublicProfile),
      nextCursor: page.nextAfterId === undefined ? null : encodeCursor(page.nextAfterId),
    });
  });

  router.get('/:id/contact', authenticate, requireScope(CONTACT_SCOPE), async (req, res) => {
    const { id } = userIdParams.parse(req.params);
    const { includeDeleted } = contactQuery.parse(req.query);
    res
      .set('Cache-Control', 'no-store')
      .json(toContact(await profiles.contact(id, { includeDeleted })));
  });

  router.get('/:id', authenticate, async (req, res) => {
    const { id } = userIdParams.parse(req.params);
    const profile = await profiles.view(userCaller(req), id);
    res.set('Cache-Control', 'no-store').json(toPublicProfile(profile));
  });

  return router;
}

import { Router } from 'express';
import type { Request, RequestHandler } from 'express';
import { HttpProblem } from '@shoal/kit';
import { decodeCursor, encodeCursor } from '../domain/inbox.ts';
import type { Inbox } from '../domain/inbox.ts';
import { toNotificationView } from './inbox-view.ts';
import { listQuery, notificationIdParams } from './request-schemas.ts';

/** The calling user; service tokens (client credentials) have no inbox, so they get 403. */
function callerId(req: Request): string {
  const auth = req.auth;
  if (auth === undefined || auth.claims['client_id'] !== undefined) {
    throw new HttpProblem(403, 'Forbidden', { detail: 'this endpoint is for user tokens' });
  }
  return auth.sub;
}

/** The caller's own inbox: list (unread filter, cursor), mark one read, mark all read. */
export function inboxRoutes(inbox: Inbox, authenticate: RequestHandler): Router {
  const router = Router();

  router.get('/', authenticate, async (req, res) => {
    const userId = callerId(req);
    const query = listQuery.parse(req.query);
    const page = await inbox.page({
      userId,
      unreadOnly: query.unread,
      limit: query.limit,
      ...(query.cursor === undefined ? {} : { after: decodeCursor(query.cursor) }),
    });
    res.set('Cache-Control', 'no-store').json({
      items: page.items.map(toNotificationView),
      nextCursor: page.next === undefined ? null : encodeCursor(page.next),
    });
  });

  router.post('/read-all', authenticate, async (req, res) => {
    const updated = await inbox.markAllRead(callerId(req));
    res.set('Cache-Control', 'no-store').json({ updated });
  });

  router.post('/:id/read', authenticate, async (req, res) => {
    const userId = callerId(req);
    const { id } = notificationIdParams.parse(req.params);
    res.set('Cache-Control', 'no-store').json(toNotificationView(await inbox.markRead(userId, id)));
  });

  return router;
}

import { Router } from 'express';
import type { RequestHandler } from 'express';
import { requireRole } from '@shoal/kit';
import { UnknownSubscriptionError } from '../domain/errors.ts';
import type { EventHub } from '../domain/event-hub.ts';
import type { DeadLetters } from '../events/dead-letters.ts';
import type { QueuePair } from '../events/queues.ts';
import { decodeCursor, encodeCursor, toPublicEvent } from './event-view.ts';
import { ADMIN_ROLE } from './publish-routes.ts';
import {
  deadLettersQuery,
  eventIdParams,
  listEventsQuery,
  redriveBody,
  replayBody,
} from './request-schemas.ts';

/** The event log, replay and dead letters: admins only. */
export function adminRoutes(
  hub: EventHub,
  deadLetters: DeadLetters,
  queues: () => ReadonlyMap<string, QueuePair>,
  authenticate: RequestHandler,
): Router {
  const router = Router();
  const admin = [authenticate, requireRole(ADMIN_ROLE)];
  const queuePair = (name: string): QueuePair => {
    const pair = queues().get(name);
    if (pair === undefined) throw new UnknownSubscriptionError(name);
    return pair;
  };

  router.get('/', ...admin, async (req, res) => {
    const query = listEventsQuery.parse(req.query);
    const page = await hub.list(
      {
        ...(query.type === undefined ? {} : { types: query.type }),
        ...(query.subject === undefined ? {} : { subject: query.subject }),
        ...(query.from === undefined ? {} : { from: new Date(query.from) }),
        ...(query.to === undefined ? {} : { to: new Date(query.to) }),
      },
      query.cursor === undefined ? undefined : decodeCursor(query.cursor),
      query.limit,
    );
    res.set('Cache-Control', 'no-store').json({
      items: page.events.map(toPublicEvent),
      next_cursor: page.next === undefined ? null : encodeCursor(page.next),
    });
  });

  router.post('/replay', ...admin, async (req, res) => {
    const body = replayBody.parse(req.body);
    const result = await hub.replay(body.subscription, {
      from: new Date(body.from),
      to: new Date(body.to),
      ...(body.types === undefined ? {} : { types: body.types }),
    });
    res.json({
      subscription: body.subscription,
      replayed: result.replayed,
      truncated: result.truncated,
      last_ingested_at: result.lastIngestedAt?.toISOString() ?? null,
    });
  });

  router.get('/dead-letters', ...admin, async (req, res) => {
    const query = deadLettersQuery.parse(req.query);
    const pair = queuePair(query.subscription);
    const depth = await deadLetters.depth(pair);
    const items = await deadLetters.peek(pair, query.limit);
    res.set('Cache-Control', 'no-store').json({
      subscription: pair.name,
      queue: pair.deadLetterQueue,
      approximate_depth: depth,
      items: items.map((item) => ({
        message_id: item.messageId,
        body: item.body,
        ...(item.reason === undefined ? {} : { reason: item.reason }),
        ...(item.sentAt === undefined ? {} : { sent_at: item.sentAt.toISOString() }),
      })),
    });
  });

  router.post('/dead-letters/redrive', ...admin, async (req, res) => {
    const body = redriveBody.parse(req.body);
    const pair = queuePair(body.subscription);
    const moved = await deadLetters.redrive(pair, body.limit);
    res.json({ subscription: pair.name, queue: pair.queue, moved });
  });

  router.get('/:id', ...admin, async (req, res) => {
    const { id } = eventIdParams.parse(req.params);
    res.set('Cache-Control', 'no-store').json(toPublicEvent(await hub.get(id)));
  });

  return router;
}

import { Router } from 'express';
import type { RequestHandler } from 'express';
import { createCloudEvent, HttpProblem } from '@shoal/kit';
import type { CloudEvent } from '@shoal/kit';
import type { EventHub } from '../domain/event-hub.ts';
import { publishBody } from './request-schemas.ts';

/** Where accepted events go before they are stored and fanned out (the ingest queue). */
export interface IngestQueue {
  enqueue(event: CloudEvent): Promise<void>;
}

/** The scope a service token needs to publish over HTTP (admins may too). */
export const PUBLISH_SCOPE = 'events:publish';
export const ADMIN_ROLE = 'admin';

/** Lets through callers with scope `events:publish` OR role `admin` (the kit's guards AND/OR only within one kind). */
export function requirePublisher(): RequestHandler {
  return (req, _res, next) => {
    const caller = req.auth;
    if (caller === undefined) {
      throw new HttpProblem(401, 'Unauthorized', {
        detail: 'missing bearer token',
        headers: { 'WWW-Authenticate': 'Bearer' },
      });
    }
    if (!caller.scope.includes(PUBLISH_SCOPE) && !caller.roles.includes(ADMIN_ROLE)) {
      throw new HttpProblem(403, 'Forbidden', {
        detail: `requires scope ${PUBLISH_SCOPE} or role ${ADMIN_ROLE}`,
        headers: {
          'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${PUBLISH_SCOPE}"`,
        },
      });
    }
    next();
  };
}

/**
 * `POST /`: publish over HTTP. The event is checked against its contract here (400 at once),
 * then enqueued on the ingest queue, so it takes exactly the path outbox events take; 202
 * means SQS has it. The source is always `/shoal/http/<caller>`: callers cannot pose as a
 * producer (consumers that trust a source, like the user service, check it).
 */
export function publishRoutes(
  hub: EventHub,
  ingest: IngestQueue,
  authenticate: RequestHandler,
): Router {
  const router = Router();
  router.post('/', authenticate, requirePublisher(), async (req, res) => {
    const body = publishBody.parse(req.body);
    const caller = (req.auth?.sub ?? 'anonymous').replace(/[^A-Za-z0-9._~-]/g, '_');
    const event = createCloudEvent({
      type: body.type,
      source: `/shoal/http/${caller}`,
      data: body.data,
      ...(body.id === undefined ? {} : { id: body.id }),
      ...(body.subject === undefined ? {} : { subject: body.subject }),
      ...(body.time === undefined ? {} : { time: new Date(body.time) }),
    });
    hub.check(event);
    await ingest.enqueue(event);
    res
      .status(202)
      .location(`/api/events/${encodeURIComponent(event.id)}`)
      .json({ id: event.id });
  });
  return router;
}

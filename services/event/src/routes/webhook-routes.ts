import { Router } from 'express';
import type { Request } from 'express';
import {
  createCloudEvent,
  HttpProblem,
  isJsonMediaType,
  problemType,
  unsupportedMediaTypeProblem,
} from '@shoal/kit';
import type { EventHub } from '../domain/event-hub.ts';
import { verifyWebhookSignature } from '../domain/webhook-signature.ts';
import type { IngestQueue } from './publish-routes.ts';
import { webhookBody, webhookParams } from './request-schemas.ts';

/** The header senders sign with: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const SIGNATURE_HEADER = 'x-shoal-signature';

/** The exact bytes received, which the signature covers (the kit's body parser keeps them). */
function rawBodyOf(req: Request): Buffer {
  return req.rawBody ?? Buffer.alloc(0);
}

/**
 * `POST /webhooks/:source`: an external system's event, signed with the source's secret over
 * `<timestamp>.<raw body>`. Verified before the body is even looked at; the sender's own id
 * makes the event id, so a replayed delivery is recognised and ignored (200, not enqueued).
 * Accepted ones become `integration.<source>.<type>` and take the ingest path (202).
 */
export function webhookRoutes(
  hub: EventHub,
  ingest: IngestQueue,
  secrets: Readonly<Record<string, string>>,
  toleranceSec: number,
): Router {
  const router = Router();
  router.post('/webhooks/:source', async (req, res) => {
    const { source } = webhookParams.parse(req.params);
    const secret = Object.hasOwn(secrets, source) ? secrets[source] : undefined;
    if (secret === undefined) {
      throw new HttpProblem(404, 'Not Found', {
        type: problemType('unknown-webhook-source'),
        detail: `no webhook source "${source}" is configured`,
      });
    }
    // The kit also parses forms; deliveries are JSON only.
    const contentType = req.headers['content-type'];
    if (!isJsonMediaType(contentType)) {
      throw unsupportedMediaTypeProblem(contentType, ['application/json']);
    }
    try {
      verifyWebhookSignature({
        header: req.get(SIGNATURE_HEADER),
        secret,
        rawBody: rawBodyOf(req),
        toleranceSec,
      });
    } catch (error) {
      throw new HttpProblem(401, 'Unauthorized', {
        type: problemType('invalid-webhook-signature'),
        detail: (error as Error).message,
      });
    }
    const body = webhookBody.parse(req.body);
    const event = createCloudEvent({
      id: `integration:${source}:${body.id}`,
      type: `integration.${source}.${body.type}`,
      source: `/shoal/webhooks/${source}`,
      data: body.data,
      ...(body.subject === undefined ? {} : { subject: body.subject }),
      ...(body.occurred_at === undefined ? {} : { time: new Date(body.occurred_at) }),
    });
    hub.check(event);
    if (await hub.has(event.id)) {
      res.status(200).json({ id: event.id, duplicate: true });
      return;
    }
    await ingest.enqueue(event);
    res.status(202).json({ id: event.id, duplicate: false });
  });
  return router;
}

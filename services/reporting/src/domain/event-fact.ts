import type { CloudEvent } from '@shoal/kit';
import { z } from 'zod';
import type { CountedMetric } from './report-metrics.ts';

/** What the reports keep of one event. */
export interface EventFact {
  readonly eventId: string;
  readonly type: string;
  readonly source: string;
  /** The event's own `time`: it decides the bucket, whenever the event arrives. */
  readonly occurredAt: Date;
  /** The user who acted, counted among the active users of the event's buckets. */
  readonly activeUserId: string | null;
  /** The counters this event adds one to (besides `events`, which every event does). */
  readonly counts: readonly CountedMetric[];
}

/** An event that can never be recorded, however often it is redelivered. */
export class PoisonEventError extends Error {
  constructor(eventId: string, reason: string) {
    super(`event ${eventId} cannot be reported: ${reason}`);
    this.name = 'PoisonEventError';
  }
}

const userIdData = z.object({ id: z.string().min(1).max(128) });
const notificationData = z.object({ userId: z.string().min(1).max(200) });

/** Per event type we report on: what its data must hold, and what it counts. */
interface TypeRule {
  readonly data: z.ZodType<{ id: string } | { userId: string }>;
  readonly counts: readonly CountedMetric[];
  /** The user who acted, read from the validated data (none: not user activity). */
  readonly actor?: (data: { id?: string; userId?: string }) => string | undefined;
}

const RULES: Readonly<Record<string, TypeRule>> = {
  'auth.user.registered': { data: userIdData, counts: ['signups'], actor: (data) => data.id },
  'auth.user.logged_in': { data: userIdData, counts: ['logins'], actor: (data) => data.id },
  'user.profile.updated': { data: userIdData, counts: [], actor: (data) => data.id },
  'notification.sent': { data: notificationData, counts: ['notifications_sent'] },
  'notification.failed': { data: notificationData, counts: ['notifications_failed'] },
};

/** The event hub's own bound on ids. */
const MAX_EVENT_ID_LENGTH = 200;

/**
 * Turns an event into its fact, or throws PoisonEventError when the fields the reports need
 * are missing or malformed. Types without a rule still count in `events` and by type.
 */
export function factFromEvent(event: CloudEvent): EventFact {
  if (event.id.length > MAX_EVENT_ID_LENGTH) {
    throw new PoisonEventError(event.id.slice(0, 40), 'id is longer than 200 characters');
  }
  if (event.time === undefined) throw new PoisonEventError(event.id, 'it has no time');
  const occurredAt = new Date(event.time);
  if (Number.isNaN(occurredAt.getTime())) {
    throw new PoisonEventError(event.id, `time "${event.time}" is not an RFC 3339 timestamp`);
  }
  const rule = RULES[event.type];
  if (rule === undefined) {
    return {
      eventId: event.id,
      type: event.type,
      source: event.source,
      occurredAt,
      activeUserId: null,
      counts: [],
    };
  }
  const parsed = rule.data.safeParse(event.data);
  if (!parsed.success) {
    throw new PoisonEventError(
      event.id,
      `data breaks the ${event.type} contract: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'data'} ${issue.message}`).join('; ')}`,
    );
  }
  return {
    eventId: event.id,
    type: event.type,
    source: event.source,
    occurredAt,
    activeUserId: rule.actor?.(parsed.data) ?? null,
    counts: rule.counts,
  };
}

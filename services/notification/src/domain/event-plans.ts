import type { CloudEvent } from '@shoal/kit';
import type { Contact } from './notification.ts';
import type { Template } from './templates.ts';
import { accountDeletedTemplate, profileChangedTemplate, welcomeTemplate } from './templates.ts';

/** What to do about one consumed event. */
export type EventPlan =
  | { readonly kind: 'ignore'; readonly reason: string }
  | {
      readonly kind: 'notify';
      readonly userId: string;
      readonly template: Template;
      /** Ask the user service for deleted profiles too (the goodbye of a deleted account). */
      readonly includeDeleted: boolean;
      /** Used when the user service does not know the user yet (a registration racing ahead). */
      readonly fallbackContact?: Contact;
      /** The event changed the profile: cached contact details are stale. */
      readonly profileChanged: boolean;
    };

/** Which producers are believed, and the configurable template. */
export interface EventPlanRules {
  readonly authSource: string;
  readonly userSource: string;
  readonly integration: Template;
}

/** The prefix of the hub's CloudEvents source for webhooks (`/shoal/webhooks/<source>`). */
const WEBHOOK_SOURCE_PREFIX = '/shoal/webhooks/';

function stringField(data: unknown, key: string): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const value = (data as Record<string, unknown>)[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Decides who hears about an event, with which template. Events from a producer other than
 * the one that owns the type are ignored: anyone with `events:publish` can post an event, and
 * it must not make us email people.
 */
export function planFor(event: CloudEvent, rules: EventPlanRules): EventPlan {
  if (event.type === 'auth.user.registered') {
    if (event.source !== rules.authSource) return { kind: 'ignore', reason: 'untrusted source' };
    const userId = stringField(event.data, 'id');
    const email = stringField(event.data, 'email');
    if (userId === undefined) return { kind: 'ignore', reason: 'no user id in data' };
    return {
      kind: 'notify',
      userId,
      template: welcomeTemplate,
      includeDeleted: false,
      profileChanged: false,
      // A brand-new account has the default preferences (both on).
      ...(email === undefined
        ? {}
        : {
            fallbackContact: {
              id: userId,
              email,
              displayName: stringField(event.data, 'name') ?? null,
              locale: null,
              notificationPrefs: { email: true, inApp: true },
            },
          }),
    };
  }
  if (event.type === 'user.profile.updated' || event.type === 'user.deleted') {
    if (event.source !== rules.userSource) return { kind: 'ignore', reason: 'untrusted source' };
    const userId = stringField(event.data, 'id') ?? event.subject;
    if (userId === undefined) return { kind: 'ignore', reason: 'no user id in data' };
    const deleted = event.type === 'user.deleted';
    return {
      kind: 'notify',
      userId,
      template: deleted ? accountDeletedTemplate : profileChangedTemplate,
      includeDeleted: deleted,
      profileChanged: true,
    };
  }
  if (event.type.startsWith('integration.')) {
    if (!event.source.startsWith(WEBHOOK_SOURCE_PREFIX)) {
      return { kind: 'ignore', reason: 'untrusted source' };
    }
    // The webhook sender names the user as the event's subject.
    if (event.subject === undefined || event.subject === '') {
      return { kind: 'ignore', reason: 'integration event without a subject (user id)' };
    }
    return {
      kind: 'notify',
      userId: event.subject,
      template: rules.integration,
      includeDeleted: false,
      profileChanged: false,
    };
  }
  return { kind: 'ignore', reason: 'no template for this type' };
}

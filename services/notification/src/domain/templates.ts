import type { CloudEvent } from '@shoal/kit';
import type { Contact, RenderedMessage } from './notification.ts';

/** A template: its name (reported in notification.sent/failed) and how it renders. */
export interface Template {
  readonly name: string;
  render(event: CloudEvent, contact: Contact): RenderedMessage;
}

/** How the recipient is greeted: their display name, else the local part of their email. */
export function greetingName(contact: Contact): string {
  return contact.displayName ?? contact.email?.split('@')[0] ?? 'there';
}

/** Field names of a profile change, as a user reads them. */
const FIELD_LABELS: Readonly<Record<string, string>> = {
  displayName: 'display name',
  bio: 'bio',
  locale: 'language',
  timezone: 'time zone',
  'notificationPrefs.email': 'email notifications',
  'notificationPrefs.inApp': 'in-app notifications',
};

export const welcomeTemplate: Template = {
  name: 'welcome',
  render: (_event, contact) => ({
    subject: 'Welcome to Shoal',
    text: `Hello ${greetingName(contact)},\n\nyour Shoal account is ready. Welcome aboard!\n`,
  }),
};

export const profileChangedTemplate: Template = {
  name: 'profile-changed',
  render: (event, contact) => {
    const changed = (event.data as { changed?: unknown }).changed;
    const fields = Array.isArray(changed)
      ? changed.map((field) => FIELD_LABELS[String(field)] ?? String(field))
      : [];
    return {
      subject: 'Your Shoal profile was changed',
      text:
        `Hello ${greetingName(contact)},\n\nyour profile was changed` +
        (fields.length > 0 ? `: ${fields.join(', ')}.` : '.') +
        '\nIf this was not you, please contact support.\n',
    };
  },
};

export const accountDeletedTemplate: Template = {
  name: 'account-deleted',
  render: (_event, contact) => ({
    subject: 'Your Shoal account was deleted',
    text: `Hello ${greetingName(contact)},\n\nyour Shoal profile has been deleted as you asked. Goodbye!\n`,
  }),
};

/**
 * The configurable `integration.*` template. Placeholders: `{type}`, `{source}`, `{name}` (the
 * greeting name) and `{data.<key>}` (a top-level field of the webhook's data; objects as JSON).
 * Unknown placeholders stay as they are, so a typo shows instead of vanishing.
 */
export function integrationTemplate(subject: string, text: string): Template {
  return {
    name: 'integration',
    render: (event, contact) => ({
      subject: fill(subject, event, contact).replace(/[\r\n]+/g, ' '),
      text: fill(text, event, contact),
    }),
  };
}

function fill(template: string, event: CloudEvent, contact: Contact): string {
  const data = (typeof event.data === 'object' && event.data !== null ? event.data : {}) as Record<
    string,
    unknown
  >;
  return template.replace(
    /\{(type|source|name|data\.[A-Za-z0-9_-]+)\}/g,
    (placeholder, key: string) => {
      if (key === 'type') return event.type;
      if (key === 'source') return event.source;
      if (key === 'name') return greetingName(contact);
      const value = data[key.slice('data.'.length)];
      if (value === undefined) return placeholder;
      return typeof value === 'string' ? value : JSON.stringify(value);
    },
  );
}

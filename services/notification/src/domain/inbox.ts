import { InvalidCursorError, NotificationNotFoundError } from './errors.ts';
import type { InboxItem } from './notification.ts';
import type { InboxStore } from './ports.ts';

/** Where a page ended: the last item's position in newest-first order. */
export interface InboxPosition {
  readonly createdAt: Date;
  readonly id: string;
}

/** One page of a user's inbox. */
export interface InboxPage {
  readonly items: readonly InboxItem[];
  /** Where the next page starts, when there is one. */
  readonly next: InboxPosition | undefined;
}

/** A user's in-app inbox: read, page, mark read. Every call is scoped to the user. */
export class Inbox {
  readonly #store: InboxStore;
  readonly #now: () => Date;

  constructor(store: InboxStore, now: () => Date = () => new Date()) {
    this.#store = store;
    this.#now = now;
  }

  /** The user's items, newest first, `limit` at a time, after `after`. */
  async page(options: {
    userId: string;
    unreadOnly: boolean;
    after?: InboxPosition;
    limit: number;
  }): Promise<InboxPage> {
    const items = await this.#store.list({ ...options, limit: options.limit + 1 });
    const page = items.slice(0, options.limit);
    const last = page.at(-1);
    return {
      items: page,
      next:
        items.length > options.limit && last !== undefined
          ? { createdAt: last.createdAt, id: last.id }
          : undefined,
    };
  }

  /** Marks one of the user's items read; someone else's is NotificationNotFoundError. */
  async markRead(userId: string, id: string): Promise<InboxItem> {
    const item = await this.#store.markRead(userId, id, this.#now());
    if (item === undefined) throw new NotificationNotFoundError();
    return item;
  }

  /** Marks every unread item of the user read; returns how many. */
  markAllRead(userId: string): Promise<number> {
    return this.#store.markAllRead(userId, this.#now());
  }
}

/** Opaque to clients: base64url of `<epoch ms>.<id>`. */
export function encodeCursor(position: InboxPosition): string {
  return Buffer.from(`${position.createdAt.getTime()}.${position.id}`, 'utf8').toString(
    'base64url',
  );
}

/** Reads a cursor made by encodeCursor; throws InvalidCursorError for anything else. */
export function decodeCursor(cursor: string): InboxPosition {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d{1,15})\.([A-Za-z0-9_-]{1,64})$/.exec(text);
  if (match === null || Buffer.from(text, 'utf8').toString('base64url') !== cursor) {
    throw new InvalidCursorError();
  }
  return { createdAt: new Date(Number(match[1])), id: match[2] as string };
}

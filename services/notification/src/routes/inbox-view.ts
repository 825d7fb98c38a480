import type { InboxItem } from '../domain/notification.ts';

/** An inbox item as the API shows it (openapi.yaml `Notification`). */
export function toNotificationView(item: InboxItem): Record<string, unknown> {
  return {
    id: item.id,
    eventId: item.eventId,
    eventType: item.eventType,
    template: item.template,
    title: item.title,
    body: item.body,
    createdAt: item.createdAt.toISOString(),
    readAt: item.readAt === null ? null : item.readAt.toISOString(),
  };
}

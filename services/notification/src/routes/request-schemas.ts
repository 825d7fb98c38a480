import { z } from 'zod';

/** `GET /api/notifications`: `unread=true` for unread items only; a cursor from the last page. */
export const listQuery = z.strictObject({
  unread: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(200).optional(),
});

export const notificationIdParams = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be a notification id'),
});

import { z } from 'zod';

/** A BCP 47 language tag the runtime knows (`en`, `en-GB`, `pt-BR`), stored canonical. */
const locale = z
  .string()
  .max(35)
  .transform((tag, ctx) => {
    try {
      const [canonical] = Intl.getCanonicalLocales(tag);
      if (canonical !== undefined) return canonical;
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: 'must be a BCP 47 language tag like en-GB' });
    return z.NEVER;
  });

/** An IANA time zone name (`Europe/Paris`, `UTC`). */
const timezone = z
  .string()
  .max(64)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone like Europe/Paris');

/**
 * `PATCH /me`: strict, so fields the caller may not set (`id`, `email`, `roles`, ...) are a
 * 400 naming them, never silently stored or dropped. `null` clears an optional field.
 */
export const profilePatchBody = z
  .strictObject({
    displayName: z.string().trim().min(1).max(100),
    bio: z.string().trim().max(1000).nullable(),
    locale: locale.nullable(),
    timezone: timezone.nullable(),
    notificationPrefs: z
      .strictObject({ email: z.boolean(), inApp: z.boolean() })
      .partial()
      .refine((prefs) => Object.keys(prefs).length > 0, 'name email and/or inApp'),
  })
  .partial()
  .refine((body) => Object.keys(body).length > 0, 'name at least one field to change');

export const userIdParams = z.object({
  id: z.string().min(1).max(128),
});

export const listUsersQuery = z.object({
  q: z.string().trim().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(200).optional(),
});

/** `GET /{id}/contact`: `includeDeleted=true` also finds soft-deleted users (their goodbye). */
export const contactQuery = z.object({
  includeDeleted: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
});

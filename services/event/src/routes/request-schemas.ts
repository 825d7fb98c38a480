import { z } from 'zod';

/** Event types: dot-separated lowercase words (`auth.user.registered`). */
const eventType = z
  .string()
  .max(200)
  .regex(/^[a-z0-9_-]+(\.[a-z0-9_-]+)+$/, 'must be dot-separated lowercase words');

const timestamp = z.iso.datetime({ offset: true });

/** `POST /api/events`: the caller names type, data and optionally id and subject. */
export const publishBody = z.strictObject({
  type: eventType,
  data: z.unknown().refine((value) => value !== undefined, 'is required'),
  id: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
    .optional(),
  subject: z.string().min(1).max(200).optional(),
  time: timestamp.optional(),
});

/** The body a webhook sender posts: its own id (for replay detection), a type, and data. */
export const webhookBody = z.object({
  id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
  type: z
    .string()
    .max(100)
    .regex(/^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/, 'must be dot-separated lowercase words'),
  data: z.record(z.string(), z.unknown()).default({}),
  occurred_at: timestamp.optional(),
  subject: z.string().min(1).max(200).optional(),
});

export const webhookParams = z.object({
  source: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a webhook source name'),
});

/** Comma-separated or repeated `type` query values. */
const typeList = z
  .union([z.string(), z.array(z.string())])
  .transform((value) => (Array.isArray(value) ? value : value.split(',')).filter(Boolean))
  .pipe(z.array(eventType).max(20));

export const listEventsQuery = z
  .object({
    type: typeList.optional(),
    subject: z.string().min(1).max(200).optional(),
    from: timestamp.optional(),
    to: timestamp.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().min(1).max(300).optional(),
  })
  .refine(
    (q) => q.from === undefined || q.to === undefined || Date.parse(q.from) < Date.parse(q.to),
    {
      message: 'from must be before to',
      path: ['from'],
    },
  );

export const eventIdParams = z.object({
  id: z.string().min(1).max(200),
});

export const replayBody = z
  .strictObject({
    subscription: z.string().min(1).max(63),
    from: timestamp,
    to: timestamp,
    types: z.array(eventType).min(1).max(50).optional(),
  })
  .refine((body) => Date.parse(body.from) < Date.parse(body.to), {
    message: 'from must be before to',
    path: ['from'],
  });

export const deadLettersQuery = z.object({
  subscription: z.string().min(1).max(80),
  limit: z.coerce.number().int().min(1).max(10).default(10),
});

export const redriveBody = z.strictObject({
  subscription: z.string().min(1).max(80),
  limit: z.number().int().min(1).max(100_000).default(1000),
});

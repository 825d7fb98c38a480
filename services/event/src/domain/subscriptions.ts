import { z } from 'zod';

/** A subscriber: which event types it wants and the queue (with its DLQ) they go to. */
export interface Subscription {
  /** How admins name it (replay, dead letters). */
  readonly name: string;
  /** Its SQS queue. */
  readonly queue: string;
  /** Where messages failing `MAX_RECEIVE_COUNT` receives go: `<queue>-dlq`. */
  readonly deadLetterQueue: string;
  /** Exact types, `prefix.*` patterns, or `*` for everything. */
  readonly types: readonly string[];
}

const typePattern = z
  .string()
  .regex(
    /^(\*|[a-z0-9_-]+(\.[a-z0-9_-]+)*(\.\*)?)$/i,
    'must be an event type, a "prefix.*" pattern or "*"',
  );

const subscriptionsSchema = z
  .array(
    z.strictObject({
      name: z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'must be a lowercase name'),
      queue: z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,76}$/, 'must be an SQS queue name')
        .optional(),
      types: z.array(typePattern).min(1),
    }),
  )
  .min(1)
  .refine((list) => new Set(list.map((s) => s.name)).size === list.length, {
    message: 'subscription names must be unique',
  });

/** Parses the SUBSCRIPTIONS setting; throws an Error naming what is wrong. */
export function parseSubscriptions(text: string): Subscription[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('SUBSCRIPTIONS must be JSON');
  }
  const parsed = subscriptionsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`SUBSCRIPTIONS ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data.map(({ name, queue, types }) => ({
    name,
    queue: queue ?? name,
    deadLetterQueue: `${queue ?? name}-dlq`,
    types,
  }));
}

/** Whether `type` is one of `patterns` (exact, `prefix.*`, or `*`). */
export function typeMatches(type: string, patterns: readonly string[]): boolean {
  return patterns.some(
    (pattern) =>
      pattern === '*' ||
      pattern === type ||
      (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1))),
  );
}

/** The names of the subscriptions that want events of this type. */
export function subscribersOf(type: string, subscriptions: readonly Subscription[]): string[] {
  return subscriptions.filter((s) => typeMatches(type, s.types)).map((s) => s.name);
}

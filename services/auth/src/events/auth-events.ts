import { z } from 'zod';

/**
 * The events the auth service publishes to `platform-events`, as CloudEvents 1.0 with
 * `source` = EVENT_SOURCE, `subject` = the user id, and `data` exactly as below.
 * Consumers may rely on these shapes; change them only by adding optional fields.
 */
export const EVENT_SOURCE = '/shoal/auth';

export const userRegisteredData = z.strictObject({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
});

export const userLoggedInData = z.strictObject({
  id: z.uuid(),
});

export const userRolesChangedData = z.strictObject({
  id: z.uuid(),
  roles: z.array(z.string()),
  previous_roles: z.array(z.string()),
});

/** Every event type with the schema of its `data`. */
export const authEventSchemas = {
  'auth.user.registered': userRegisteredData,
  'auth.user.logged_in': userLoggedInData,
  'auth.user.roles_changed': userRolesChangedData,
} as const;

export type AuthEventType = keyof typeof authEventSchemas;

/** An event the domain wants published, before it is wrapped in a CloudEvent envelope. */
export interface AuthEvent<Type extends AuthEventType = AuthEventType> {
  readonly type: Type;
  /** The user the event is about. */
  readonly subject: string;
  readonly data: z.infer<(typeof authEventSchemas)[Type]>;
}

/** `auth.user.registered`: a new account exists. */
export function userRegistered(user: {
  id: string;
  email: string;
  name: string;
}): AuthEvent<'auth.user.registered'> {
  return {
    type: 'auth.user.registered',
    subject: user.id,
    data: { id: user.id, email: user.email, name: user.name },
  };
}

/** `auth.user.logged_in`: a password login succeeded. */
export function userLoggedIn(userId: string): AuthEvent<'auth.user.logged_in'> {
  return { type: 'auth.user.logged_in', subject: userId, data: { id: userId } };
}

/** `auth.user.roles_changed`: an admin replaced the user's roles. */
export function userRolesChanged(
  userId: string,
  roles: readonly string[],
  previousRoles: readonly string[],
): AuthEvent<'auth.user.roles_changed'> {
  return {
    type: 'auth.user.roles_changed',
    subject: userId,
    data: { id: userId, roles: [...roles], previous_roles: [...previousRoles] },
  };
}

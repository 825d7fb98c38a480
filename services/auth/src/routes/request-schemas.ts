import { z } from 'zod';

/** Passwords are counted in characters (code points), not UTF-16 units or bytes. */
const password = z
  .string()
  .refine((text) => [...text].length >= 12, 'must be at least 12 characters')
  .refine((text) => [...text].length <= 256, 'must be at most 256 characters');

const email = z.string().trim().toLowerCase().max(254).pipe(z.email());

/** Role names: short lowercase words, so they read well in tokens and guards. */
export const roleName = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'must be a lowercase role name');

export const registerBody = z.object({
  email,
  password,
  name: z.string().trim().min(1).max(100),
});

export const loginBody = z.object({
  // Not checked for format: any wrong email must get the same 401 as a wrong password.
  email: z.string().min(1).max(254),
  password: z.string().min(1).max(1024),
});

export const refreshTokenBody = z.object({
  refresh_token: z.string().min(1).max(256),
});

/** RFC 6749 §4.4 token request; the client may authenticate in the body or with Basic. */
export const clientCredentialsBody = z.object({
  grant_type: z.literal('client_credentials', {
    error: 'unsupported grant_type: only client_credentials is accepted',
  }),
  client_id: z.string().min(1).max(128).optional(),
  client_secret: z.string().min(1).max(256).optional(),
  scope: z.string().max(1024).optional(),
});

export const setRolesBody = z.object({
  roles: z.array(roleName).max(20),
});

export const listUsersQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().min(1).max(128).optional(),
});

export const userIdParams = z.object({
  id: z.uuid(),
});

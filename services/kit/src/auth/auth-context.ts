import type { JwtPayload } from 'jsonwebtoken';

/** Who made the request, as proven by a verified bearer token. */
export interface AuthContext {
  /** The token's subject: a user id, or a client id for service tokens. */
  readonly sub: string;
  /** Roles granted to the subject (the `roles` claim). */
  readonly roles: readonly string[];
  /** OAuth scopes granted to the token (`scope`, space-separated, or `scp`). */
  readonly scope: readonly string[];
  /** Every verified claim of the token, for what the fields above do not cover. */
  readonly claims: Readonly<JwtPayload>;
}

// The one place the kit widens Express' Request: `jwtAuth` sets `req.auth`.
declare module 'express-serve-static-core' {
  interface Request {
    /** Set by `jwtAuth` once the bearer token is verified; absent for anonymous requests. */
    auth?: AuthContext;
  }
}

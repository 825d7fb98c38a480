import type { AuthEvent } from '../events/auth-events.ts';
import type { NewRefreshToken, RefreshTokenRecord, SigningKeyRecord, User } from './model.ts';

/** A user to insert. */
export interface NewUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly roles: readonly string[];
  readonly passwordHash: string;
  readonly createdAt: Date;
}

/** One page of users in creation order. */
export interface UserPage {
  readonly users: readonly User[];
  /** Opaque position after the last user, or null when there are no more. */
  readonly nextCursor: string | null;
}

/**
 * What the refresh-token logic may do while it holds the lock on one token's family. All
 * of it commits together when the callback returns (and rolls back if it throws).
 */
export interface RefreshTokenTransaction {
  /** The token presented, or null when no token has that hash. */
  readonly token: RefreshTokenRecord | null;
  markSpent(tokenId: string, at: Date): Promise<void>;
  insertToken(token: NewRefreshToken): Promise<void>;
  revokeFamily(familyId: string, at: Date, reason: string): Promise<void>;
  /** The token's user, read in the same transaction (roles may have changed). */
  findUser(userId: string): Promise<User | null>;
}

/**
 * The auth service's persistence, as the domain needs it. Every method that changes state
 * and takes `events` writes them to the outbox in the SAME transaction as the change.
 */
export interface AuthStore {
  /** Inserts the user; returns null (and writes nothing) when the email is taken. */
  createUser(user: NewUser, events: readonly AuthEvent[]): Promise<User | null>;
  findUserByEmail(email: string): Promise<User | null>;
  findUserById(id: string): Promise<User | null>;
  /** Up to `limit` users after the cursor, in creation order; throws InvalidCursorError. */
  listUsers(cursor: string | null, limit: number): Promise<UserPage>;
  /**
   * Replaces a user's roles; `events` gets the roles before the change so it can describe
   * it. Returns null when there is no such user.
   */
  setUserRoles(
    id: string,
    roles: readonly string[],
    events: (previousRoles: readonly string[]) => readonly AuthEvent[],
  ): Promise<User | null>;
  updatePasswordHash(id: string, passwordHash: string): Promise<void>;

  /** Starts a new refresh-token family with its first token, with the login's events. */
  startRefreshFamily(token: NewRefreshToken, events: readonly AuthEvent[]): Promise<void>;
  /** Runs `work` holding a lock on the family of the token with this hash. */
  withRefreshToken<T>(
    tokenHash: string,
    work: (tx: RefreshTokenTransaction) => Promise<T>,
  ): Promise<T>;

  /** Signing keys still active or retired after `retiredAfter`, newest first. */
  listSigningKeys(retiredAfter: Date): Promise<SigningKeyRecord[]>;
  /**
   * Inserts `create()`'s key unless an active key exists; serialised across replicas so
   * that simultaneous first starts make exactly one.
   */
  ensureActiveSigningKey(create: () => Promise<SigningKeyRecord>): Promise<void>;
  /** Retires the active key(s) at `newKey.createdAt` and makes `newKey` the active one. */
  rotateSigningKey(newKey: SigningKeyRecord): Promise<void>;
}

/** A pagination cursor that this service did not hand out. */
export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not one this service handed out');
    this.name = 'InvalidCursorError';
  }
}

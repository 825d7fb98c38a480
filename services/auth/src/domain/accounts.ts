import { randomUUID } from 'node:crypto';
import { userLoggedIn, userRegistered, userRolesChanged } from '../events/auth-events.ts';
import type { AccessTokens } from './access-tokens.ts';
import type { AuthStore, UserPage } from './auth-store.ts';
import {
  EmailTakenError,
  InvalidCredentialsError,
  LoginThrottledError,
  UserNotFoundError,
} from './errors.ts';
import type { LoginThrottle } from './login-throttle.ts';
import type { User } from './model.ts';
import type { PasswordHasher } from './password-hasher.ts';
import type { RefreshTokens } from './refresh-tokens.ts';

/** Roles every new account gets. */
export const DEFAULT_ROLES: readonly string[] = ['user'];
export const ADMIN_ROLE = 'admin';

/** What login and refresh hand back (the OAuth token response's content). */
export interface TokenPair {
  readonly accessToken: string;
  readonly expiresInSec: number;
  readonly refreshToken: string;
}

export interface AccountsOptions {
  readonly store: AuthStore;
  readonly hasher: PasswordHasher;
  readonly accessTokens: AccessTokens;
  readonly refreshTokens: RefreshTokens;
  readonly throttle: LoginThrottle;
  readonly now?: () => Date;
}

/** Lower-cases and trims an email, the form in which it is stored and looked up. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Accounts: registration, password login, token refresh, and the admin operations. */
export class Accounts {
  readonly #options: AccountsOptions;
  readonly #now: () => Date;

  constructor(options: AccountsOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
  }

  /** Creates an account with the default roles; throws EmailTakenError. */
  async register(input: { email: string; password: string; name: string }): Promise<User> {
    const user = await this.#create(input, DEFAULT_ROLES);
    if (user === null) throw new EmailTakenError();
    return user;
  }

  /**
   * Creates the admin account unless an account with that email exists (left untouched).
   * Safe when several replicas start at once: the insert is conditional on the email.
   */
  async ensureAdmin(email: string, password: string): Promise<{ created: boolean }> {
    if ((await this.#options.store.findUserByEmail(normaliseEmail(email))) !== null) {
      return { created: false };
    }
    const user = await this.#create({ email, password, name: 'Administrator' }, [
      ...DEFAULT_ROLES,
      ADMIN_ROLE,
    ]);
    return { created: user !== null };
  }

  /**
   * Checks email and password and starts a session. A wrong email costs the same hashing
   * work as a wrong password and gets the same error. Throws InvalidCredentialsError or
   * LoginThrottledError.
   */
  async login(input: { email: string; password: string; address: string }): Promise<TokenPair> {
    const { store, hasher, throttle } = this.#options;
    const attempt = { account: normaliseEmail(input.email), address: input.address };
    const waitSec = await throttle.retryAfterSec(attempt);
    if (waitSec > 0) throw new LoginThrottledError(waitSec);

    const user = await store.findUserByEmail(attempt.account);
    const check =
      user === null
        ? { matches: await hasher.verifyAgainstDummy(input.password), needsRehash: false }
        : await hasher.verify(input.password, user.passwordHash);
    if (user === null || !check.matches) {
      await throttle.recordFailure(attempt);
      throw new InvalidCredentialsError();
    }
    if (check.needsRehash) {
      // The password is in hand only now: upgrade the hash to the current parameters.
      await store.updatePasswordHash(user.id, await hasher.hash(input.password));
    }
    const refreshToken = await this.#options.refreshTokens.startFamily(user.id, [
      userLoggedIn(user.id),
    ]);
    const access = await this.#options.accessTokens.issue({
      sub: user.id,
      roles: user.roles,
      scope: [],
    });
    return { accessToken: access.token, expiresInSec: access.expiresInSec, refreshToken };
  }

  /** Exchanges a refresh token for a new pair; throws InvalidRefreshTokenError. */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const rotated = await this.#options.refreshTokens.rotate(refreshToken);
    // Roles are read afresh at each refresh, so role changes reach tokens within one refresh.
    const access = await this.#options.accessTokens.issue({
      sub: rotated.user.id,
      roles: rotated.user.roles,
      scope: [],
    });
    return {
      accessToken: access.token,
      expiresInSec: access.expiresInSec,
      refreshToken: rotated.token,
    };
  }

  /** Ends the session the refresh token belongs to. */
  async logout(refreshToken: string): Promise<void> {
    await this.#options.refreshTokens.revoke(refreshToken);
  }

  /** The account with this id; throws UserNotFoundError. */
  async get(id: string): Promise<User> {
    const user = await this.#options.store.findUserById(id);
    if (user === null) throw new UserNotFoundError();
    return user;
  }

  /** One page of accounts in creation order. */
  list(cursor: string | null, limit: number): Promise<UserPage> {
    return this.#options.store.listUsers(cursor, limit);
  }

  /** Replaces the account's roles (deduplicated, sorted); throws UserNotFoundError. */
  async setRoles(id: string, roles: readonly string[]): Promise<User> {
    const wanted = [...new Set(roles)].sort();
    const user = await this.#options.store.setUserRoles(id, wanted, (previous) => [
      userRolesChanged(id, wanted, previous),
    ]);
    if (user === null) throw new UserNotFoundError();
    return user;
  }

  async #create(
    input: { email: string; password: string; name: string },
    roles: readonly string[],
  ): Promise<User | null> {
    const id = randomUUID();
    const email = normaliseEmail(input.email);
    const name = input.name.trim();
    return this.#options.store.createUser(
      {
        id,
        email,
        name,
        roles,
        passwordHash: await this.#options.hasher.hash(input.password),
        createdAt: this.#now(),
      },
      [userRegistered({ id, email, name })],
    );
  }
}

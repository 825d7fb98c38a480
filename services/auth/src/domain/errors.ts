/** The domain's refusals; routes map each to one HTTP status. */

/** Registration with an email that already has an account (409). */
export class EmailTakenError extends Error {
  constructor() {
    super('an account with this email already exists');
    this.name = 'EmailTakenError';
  }
}

/** Wrong email or wrong password, deliberately indistinguishable (401). */
export class InvalidCredentialsError extends Error {
  constructor() {
    super('email or password is wrong');
    this.name = 'InvalidCredentialsError';
  }
}

/** Too many failed logins for this account or address (429). */
export class LoginThrottledError extends Error {
  /** Whole seconds until another attempt is considered. */
  readonly retryAfterSec: number;

  constructor(retryAfterSec: number) {
    super('too many failed login attempts; try again later');
    this.name = 'LoginThrottledError';
    this.retryAfterSec = retryAfterSec;
  }
}

/** A refresh token that is unknown, expired, revoked, or was reused (401). */
export class InvalidRefreshTokenError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'InvalidRefreshTokenError';
  }
}

/** No account with this id (404). */
export class UserNotFoundError extends Error {
  constructor() {
    super('no such user');
    this.name = 'UserNotFoundError';
  }
}

/** Unknown client or wrong client secret (401, OAuth `invalid_client`). */
export class InvalidClientError extends Error {
  constructor() {
    super('client authentication failed');
    this.name = 'InvalidClientError';
  }
}

/** A requested scope the client is not allowed (400, OAuth `invalid_scope`). */
export class InvalidScopeError extends Error {
  constructor(scopes: readonly string[]) {
    super(`scope not allowed for this client: ${scopes.join(' ')}`);
    this.name = 'InvalidScopeError';
  }
}

/** The domain's refusals; routes map each to one HTTP status. */

/** No profile the caller may see with this id (404: absent, deleted, or someone else's). */
export class ProfileNotFoundError extends Error {
  constructor() {
    super('no such user');
    this.name = 'ProfileNotFoundError';
  }
}

/** A cursor that does not decode (400). */
export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not one this service issued');
    this.name = 'InvalidCursorError';
  }
}

/** The profile kept changing under a PATCH (409: retry). */
export class ConcurrentUpdateError extends Error {
  constructor() {
    super('the profile changed concurrently; retry');
    this.name = 'ConcurrentUpdateError';
  }
}

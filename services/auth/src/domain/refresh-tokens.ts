import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { AuthEvent } from '../events/auth-events.ts';
import type { AuthStore } from './auth-store.ts';
import { InvalidRefreshTokenError } from './errors.ts';
import type { NewRefreshToken, User } from './model.ts';

export interface RefreshTokensOptions {
  readonly store: AuthStore;
  /** Lifetime of each refresh token (sliding: every rotation starts a new one). */
  readonly ttlMs: number;
  /**
   * How long after a token was spent presenting it again still counts as the same client
   * retrying (a lost response, two tabs refreshing at once) rather than theft.
   */
  readonly graceMs: number;
  readonly now?: () => Date;
}

/** A refresh token handed to a client: only its hash is stored. */
const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** SHA-256 of a refresh token, hex: what the database stores and looks tokens up by. */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The outcome of one refresh, decided while the family is locked. */
type RotationOutcome =
  | { readonly kind: 'rotated'; readonly user: User; readonly token: string }
  | { readonly kind: 'refused'; readonly reason: string };

/**
 * Refresh-token rotation with reuse detection. Tokens of one login form a family; each
 * refresh spends the presented token and issues its successor. Presenting a spent token
 * again revokes the whole family (someone else may hold a copy), except within a short
 * grace window after it was spent, where the retry gets a sibling token instead.
 */
export class RefreshTokens {
  readonly #options: RefreshTokensOptions;
  readonly #now: () => Date;

  constructor(options: RefreshTokensOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
  }

  /** Starts a family for a fresh login (with the login's events) and returns its first token. */
  async startFamily(userId: string, events: readonly AuthEvent[]): Promise<string> {
    const { token, record } = this.#mint(userId, randomUUID(), null);
    await this.#options.store.startRefreshFamily(record, events);
    return token;
  }

  /** Spends the token and returns its user and the successor; throws InvalidRefreshTokenError. */
  async rotate(presented: string): Promise<{ user: User; token: string }> {
    if (!TOKEN_PATTERN.test(presented))
      throw new InvalidRefreshTokenError('malformed refresh token');
    const outcome = await this.#options.store.withRefreshToken(
      hashRefreshToken(presented),
      async (tx): Promise<RotationOutcome> => {
        const now = this.#now();
        const current = tx.token;
        if (current === null) return { kind: 'refused', reason: 'unknown refresh token' };
        if (current.familyRevokedAt !== null) {
          return { kind: 'refused', reason: 'refresh token revoked' };
        }
        if (current.expiresAt.getTime() <= now.getTime()) {
          return { kind: 'refused', reason: 'refresh token expired' };
        }
        if (current.spentAt !== null) {
          const sinceSpent = now.getTime() - current.spentAt.getTime();
          if (sinceSpent >= this.#options.graceMs) {
            // Reuse after the grace window: assume theft, kill every token of this login.
            await tx.revokeFamily(current.familyId, now, 'reuse');
            return { kind: 'refused', reason: 'refresh token reused; session revoked' };
          }
        } else {
          await tx.markSpent(current.id, now);
        }
        const user = await tx.findUser(current.userId);
        if (user === null) {
          await tx.revokeFamily(current.familyId, now, 'user gone');
          return { kind: 'refused', reason: 'refresh token revoked' };
        }
        const next = this.#mint(current.userId, current.familyId, current.id);
        await tx.insertToken(next.record);
        return { kind: 'rotated', user, token: next.token };
      },
    );
    // Thrown only after the transaction committed, so a revocation above sticks.
    if (outcome.kind === 'refused') throw new InvalidRefreshTokenError(outcome.reason);
    return { user: outcome.user, token: outcome.token };
  }

  /** Revokes the family of this token (logout). Unknown tokens are ignored. */
  async revoke(presented: string): Promise<void> {
    if (!TOKEN_PATTERN.test(presented)) return;
    await this.#options.store.withRefreshToken(hashRefreshToken(presented), async (tx) => {
      if (tx.token !== null && tx.token.familyRevokedAt === null) {
        await tx.revokeFamily(tx.token.familyId, this.#now(), 'logout');
      }
    });
  }

  #mint(
    userId: string,
    familyId: string,
    parentId: string | null,
  ): { token: string; record: NewRefreshToken } {
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const createdAt = this.#now();
    return {
      token,
      record: {
        id: randomUUID(),
        familyId,
        userId,
        tokenHash: hashRefreshToken(token),
        parentId,
        createdAt,
        expiresAt: new Date(createdAt.getTime() + this.#options.ttlMs),
      },
    };
  }
}

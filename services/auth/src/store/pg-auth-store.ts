import type { Pool, PoolClient } from 'pg';
import type {
  AuthStore,
  NewUser,
  RefreshTokenTransaction,
  UserPage,
} from '../domain/auth-store.ts';
import { InvalidCursorError } from '../domain/auth-store.ts';
import type {
  NewRefreshToken,
  RefreshTokenRecord,
  SigningKeyRecord,
  User,
} from '../domain/model.ts';
import type { AuthEvent } from '../events/auth-events.ts';

/** Writes events to the outbox inside the caller's transaction. */
export type OutboxWriter = (client: PoolClient, events: readonly AuthEvent[]) => Promise<void>;

interface UserRow {
  id: string;
  seq: string;
  email: string;
  name: string;
  roles: string[];
  password_hash: string;
  created_at: Date;
}

interface SigningKeyRow {
  kid: string;
  public_jwk: Record<string, string>;
  private_key_sealed: string;
  created_at: Date;
  retired_at: Date | null;
}

interface RefreshTokenRow {
  id: string;
  family_id: string;
  user_id: string;
  expires_at: Date;
  spent_at: Date | null;
  revoked_at: Date | null;
}

const USER_COLUMNS = 'id, seq, email, name, roles, password_hash, created_at';
/** Serialises first-start key creation across replicas (transaction-scoped advisory lock). */
const SIGNING_KEY_LOCK_KEY = 0x5a0a1_a08;

function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    roles: row.roles,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
  };
}

function toSigningKey(row: SigningKeyRow): SigningKeyRecord {
  return {
    kid: row.kid,
    publicJwk: row.public_jwk,
    privateKeySealed: row.private_key_sealed,
    createdAt: row.created_at,
    retiredAt: row.retired_at,
  };
}

/** Cursors are the base64url of the last user's `seq`: opaque to clients, cheap to check. */
function encodeCursor(seq: string): string {
  return Buffer.from(`u:${seq}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  const match = /^u:(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (match === null) throw new InvalidCursorError();
  return match[1] as string;
}

/** The auth store on PostgreSQL (schema from migrations.ts). */
export class PgAuthStore implements AuthStore {
  readonly #pool: Pool;
  readonly #writeOutbox: OutboxWriter;

  constructor(pool: Pool, writeOutbox: OutboxWriter) {
    this.#pool = pool;
    this.#writeOutbox = writeOutbox;
  }

  async createUser(user: NewUser, events: readonly AuthEvent[]): Promise<User | null> {
    return this.#transaction(async (client) => {
      const inserted = await client.query<UserRow>(
        `INSERT INTO users (id, email, name, roles, password_hash, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)
         ON CONFLICT (email) DO NOTHING
         RETURNING ${USER_COLUMNS}`,
        [user.id, user.email, user.name, [...user.roles], user.passwordHash, user.createdAt],
      );
      const row = inserted.rows[0];
      if (row === undefined) return null;
      await this.#writeOutbox(client, events);
      return toUser(row);
    });
  }

  async findUserByEmail(email: string): Promise<User | null> {
    const result = await this.#pool.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM users WHERE email = $1`,
      [email],
    );
    return result.rows[0] === undefined ? null : toUser(result.rows[0]);
  }

  async findUserById(id: string): Promise<User | null> {
    const result = await this.#pool.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM users WHERE id = $1`,
      [id],
    );
    return result.rows[0] === undefined ? null : toUser(result.rows[0]);
  }

  async listUsers(cursor: string | null, limit: number): Promise<UserPage> {
    const afterSeq = cursor === null ? '0' : decodeCursor(cursor);
    // One extra row tells whether another page exists without a second query.
    const result = await this.#pool.query<UserRow>(
      `SELECT ${USER_COLUMNS} FROM users WHERE seq > $1 ORDER BY seq LIMIT $2`,
      [afterSeq, limit + 1],
    );
    const rows = result.rows.slice(0, limit);
    const last = rows[rows.length - 1];
    return {
      users: rows.map(toUser),
      nextCursor: result.rows.length > limit && last !== undefined ? encodeCursor(last.seq) : null,
    };
  }

  async setUserRoles(
    id: string,
    roles: readonly string[],
    events: (previousRoles: readonly string[]) => readonly AuthEvent[],
  ): Promise<User | null> {
    return this.#transaction(async (client) => {
      const before = await client.query<{ roles: string[] }>(
        'SELECT roles FROM users WHERE id = $1 FOR UPDATE',
        [id],
      );
      const previous = before.rows[0];
      if (previous === undefined) return null;
      const updated = await client.query<UserRow>(
        `UPDATE users SET roles = $2, updated_at = now() WHERE id = $1 RETURNING ${USER_COLUMNS}`,
        [id, [...roles]],
      );
      await this.#writeOutbox(client, events(previous.roles));
      return toUser(updated.rows[0] as UserRow);
    });
  }

  async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.#pool.query(
      'UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1',
      [id, passwordHash],
    );
  }

  async startRefreshFamily(token: NewRefreshToken, events: readonly AuthEvent[]): Promise<void> {
    await this.#transaction(async (client) => {
      await client.query(
        'INSERT INTO refresh_families (id, user_id, created_at) VALUES ($1, $2, $3)',
        [token.familyId, token.userId, token.createdAt],
      );
      await insertRefreshToken(client, token);
      await this.#writeOutbox(client, events);
    });
  }

  async withRefreshToken<T>(
    tokenHash: string,
    work: (tx: RefreshTokenTransaction) => Promise<T>,
  ): Promise<T> {
    return this.#transaction(async (client) => {
      // Locking the family row serialises every refresh, reuse check and logout of one
      // login, so two concurrent refreshes of the same token are decided one after the other.
      await client.query(
        `SELECT f.id FROM refresh_families f JOIN refresh_tokens t ON t.family_id = f.id
          WHERE t.token_hash = $1
            FOR UPDATE OF f`,
        [tokenHash],
      );
      // Read the token only now, in a fresh snapshot: a refresh that held the lock before us
      // may just have spent it (the locking statement would still show the old row).
      const found = await client.query<RefreshTokenRow>(
        `SELECT t.id, t.family_id, f.user_id, t.expires_at, t.spent_at, f.revoked_at
           FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
          WHERE t.token_hash = $1`,
        [tokenHash],
      );
      const row = found.rows[0];
      const token: RefreshTokenRecord | null =
        row === undefined
          ? null
          : {
              id: row.id,
              familyId: row.family_id,
              userId: row.user_id,
              expiresAt: row.expires_at,
              spentAt: row.spent_at,
              familyRevokedAt: row.revoked_at,
            };
      return work({
        token,
        markSpent: async (tokenId, at) => {
          await client.query('UPDATE refresh_tokens SET spent_at = $2 WHERE id = $1', [
            tokenId,
            at,
          ]);
        },
        insertToken: (next) => insertRefreshToken(client, next),
        revokeFamily: async (familyId, at, reason) => {
          await client.query(
            `UPDATE refresh_families SET revoked_at = $2, revoke_reason = $3
              WHERE id = $1 AND revoked_at IS NULL`,
            [familyId, at, reason],
          );
        },
        findUser: async (userId) => {
          const result = await client.query<UserRow>(
            `SELECT ${USER_COLUMNS} FROM users WHERE id = $1`,
            [userId],
          );
          return result.rows[0] === undefined ? null : toUser(result.rows[0]);
        },
      });
    });
  }

  async listSigningKeys(retiredAfter: Date): Promise<SigningKeyRecord[]> {
    const result = await this.#pool.query<SigningKeyRow>(
      `SELECT kid, public_jwk, private_key_sealed, created_at, retired_at
         FROM signing_keys
        WHERE retired_at IS NULL OR retired_at > $1
        ORDER BY created_at DESC, kid`,
      [retiredAfter],
    );
    return result.rows.map(toSigningKey);
  }

  async ensureActiveSigningKey(create: () => Promise<SigningKeyRecord>): Promise<void> {
    await this.#transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [SIGNING_KEY_LOCK_KEY]);
      const active = await client.query('SELECT 1 FROM signing_keys WHERE retired_at IS NULL');
      if (active.rowCount !== 0) return;
      await insertSigningKey(client, await create());
    });
  }

  async rotateSigningKey(newKey: SigningKeyRecord): Promise<void> {
    await this.#transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [SIGNING_KEY_LOCK_KEY]);
      await client.query('UPDATE signing_keys SET retired_at = $1 WHERE retired_at IS NULL', [
        newKey.createdAt,
      ]);
      await insertSigningKey(client, newKey);
    });
  }

  /** Runs `work` in one transaction on one connection; rolls back when it throws. */
  async #transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        // The connection is unusable: make the pool discard it instead of reusing it.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }
}

async function insertRefreshToken(client: PoolClient, token: NewRefreshToken): Promise<void> {
  await client.query(
    `INSERT INTO refresh_tokens (id, family_id, parent_id, token_hash, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6)`,
    [token.id, token.familyId, token.parentId, token.tokenHash, token.createdAt, token.expiresAt],
  );
}

async function insertSigningKey(client: PoolClient, key: SigningKeyRecord): Promise<void> {
  await client.query(
    `INSERT INTO signing_keys (kid, public_jwk, private_key_sealed, created_at, retired_at)
     VALUES ($1, $2, $3, $4, $5)`,
    [key.kid, JSON.stringify(key.publicJwk), key.privateKeySealed, key.createdAt, key.retiredAt],
  );
}

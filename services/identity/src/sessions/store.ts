import { queryOne, queryRows, type Sql } from '@platform/db';

export interface UserRow {
  id: string;
  email: string;
  name: string;
  passwordHash: string | null;
  createdAt: Date;
}

const USER_COLUMNS = 'id, email, name, password_hash AS "passwordHash", created_at AS "createdAt"';

/** Users (login profiles) and their sessions (SPEC I1). */
export class UserStore {
  constructor(private readonly db: Sql) {}

  findUserByEmail(email: string): Promise<UserRow | null> {
    return queryOne<UserRow>(this.db, `SELECT ${USER_COLUMNS} FROM identity.users WHERE email = $1`, [email]);
  }

  findUsersByIds(ids: readonly string[]): Promise<UserRow[]> {
    return queryRows<UserRow>(this.db, `SELECT ${USER_COLUMNS} FROM identity.users WHERE id = ANY($1::uuid[])`, [ids]);
  }

  insertUser(values: { email: string; name: string; passwordHash: string | null }): Promise<UserRow | null> {
    return queryOne<UserRow>(
      this.db,
      `INSERT INTO identity.users (email, name, password_hash) VALUES ($1, $2, $3) ON CONFLICT (email) DO NOTHING RETURNING ${USER_COLUMNS}`,
      [values.email, values.name, values.passwordHash],
    );
  }

  /** Replaces an outdated hash (rehash on login); a concurrent change of the password wins. */
  async replacePasswordHash(userId: string, previousHash: string, newHash: string): Promise<void> {
    await this.db.query(`UPDATE identity.users SET password_hash = $3 WHERE id = $1 AND password_hash = $2`, [userId, previousHash, newHash]);
  }

  async insertSession(values: { userId: string; tokenHash: string; actingAccountId: string | null; ttlSeconds: number }): Promise<{ id: string; expiresAt: Date }> {
    const rows = await queryRows<{ id: string; expiresAt: Date }>(
      this.db,
      `INSERT INTO identity.sessions (user_id, token_hash, acting_account_id, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4)) RETURNING id, expires_at AS "expiresAt"`,
      [values.userId, values.tokenHash, values.actingAccountId, values.ttlSeconds],
    );
    return rows[0];
  }

  async revokeSession(sessionId: string): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      `UPDATE identity.sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id`,
      [sessionId],
    );
    return rows.length > 0;
  }
}

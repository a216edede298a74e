import type { OperatorRole } from '@platform/authz';
import { queryOne, queryRows, type Sql } from '@platform/db';

export type OperatorStatus = 'ACTIVE' | 'DISABLED';

export interface OperatorRow {
  id: string;
  email: string;
  name: string;
  role: OperatorRole;
  status: OperatorStatus;
  passwordHash: string | null;
  createdAt: Date;
}

const COLUMNS = `id, email, name, role, status, password_hash AS "passwordHash", created_at AS "createdAt"`;

/** identity.operators, their sessions and setup tokens (SPEC O1). */
export class OperatorStore {
  constructor(private readonly db: Sql) {}

  findByEmail(email: string): Promise<OperatorRow | null> {
    return queryOne<OperatorRow>(this.db, `SELECT ${COLUMNS} FROM identity.operators WHERE email = $1`, [email]);
  }

  findById(id: string): Promise<OperatorRow | null> {
    return queryOne<OperatorRow>(this.db, `SELECT ${COLUMNS} FROM identity.operators WHERE id = $1`, [id]);
  }

  list(): Promise<OperatorRow[]> {
    return queryRows<OperatorRow>(this.db, `SELECT ${COLUMNS} FROM identity.operators ORDER BY created_at, id`);
  }

  /** Null when the email is an operator already. */
  insert(input: { email: string; name: string; role: OperatorRole; createdBy: string | null; passwordHash?: string | null }): Promise<OperatorRow | null> {
    return queryOne<OperatorRow>(
      this.db,
      `INSERT INTO identity.operators (email, name, role, created_by, password_hash) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (email) DO NOTHING RETURNING ${COLUMNS}`,
      [input.email, input.name, input.role, input.createdBy, input.passwordHash ?? null],
    );
  }

  setPassword(id: string, passwordHash: string): Promise<OperatorRow | null> {
    return queryOne<OperatorRow>(this.db, `UPDATE identity.operators SET password_hash = $2 WHERE id = $1 RETURNING ${COLUMNS}`, [id, passwordHash]);
  }

  setStatus(id: string, status: OperatorStatus): Promise<OperatorRow | null> {
    return queryOne<OperatorRow>(this.db, `UPDATE identity.operators SET status = $2 WHERE id = $1 RETURNING ${COLUMNS}`, [id, status]);
  }

  openSession(operatorId: string, tokenHash: string, ttlSeconds: number): Promise<{ id: string; expiresAt: Date } | null> {
    return queryOne(
      this.db,
      `INSERT INTO identity.operator_sessions (operator_id, token_hash, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))
       RETURNING id, expires_at AS "expiresAt"`,
      [operatorId, tokenHash, ttlSeconds],
    );
  }

  async revokeSession(sessionId: string): Promise<void> {
    await this.db.query(`UPDATE identity.operator_sessions SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [sessionId]);
  }

  async revokeSessionsOf(operatorId: string): Promise<void> {
    await this.db.query(`UPDATE identity.operator_sessions SET revoked_at = now() WHERE operator_id = $1 AND revoked_at IS NULL`, [operatorId]);
  }

  insertSetupToken(operatorId: string, tokenHash: string, ttlSeconds: number): Promise<{ expiresAt: Date } | null> {
    return queryOne(
      this.db,
      `INSERT INTO identity.operator_setup_tokens (token_hash, operator_id, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3)) RETURNING expires_at AS "expiresAt"`,
      [tokenHash, operatorId, ttlSeconds],
    );
  }

  /** Marks a valid setup token used (once) and answers its operator id; null when unknown, used or expired. */
  async consumeSetupToken(tokenHash: string): Promise<string | null> {
    const row = await queryOne<{ operatorId: string }>(
      this.db,
      `UPDATE identity.operator_setup_tokens SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL AND expires_at > now() RETURNING operator_id AS "operatorId"`,
      [tokenHash],
    );
    return row?.operatorId ?? null;
  }
}

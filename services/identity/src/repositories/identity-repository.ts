
import { queryRows, type Sql } from '@platform/db';

export interface UserRow {
  id: string;
  email: string;
  name: string;
  password_hash: string | null;
  created_at: Date;
}

export interface ContactGroupGrantRow {
  groupId: string;
  access: 'RESTRICTED' | 'FULL';
}

export interface MembershipRow {
  id: string;
  user_id: string;
  account_id: string;
  role: 'ADMIN' | 'ADVANCED_USER' | 'BASIC_USER';
  status: 'ACTIVE' | 'INACTIVE';
  granted_permissions: string[];
  revoked_permissions: string[];
  allowed_sender_ids: string[] | null;
  contact_access: 'ALL' | 'SELECTED';
  contact_groups: ContactGroupGrantRow[];
  created_at: Date;
}

const USER_COLUMNS = 'id, email, name, password_hash, created_at';
const MEMBERSHIP_COLUMNS =
  'id, user_id, account_id, role, status, granted_permissions, revoked_permissions, allowed_sender_ids, contact_access, contact_groups, created_at';

export class IdentityRepository {
  constructor(readonly db: Sql) {}

  async findUserByEmail(email: string): Promise<UserRow | null> {
    const rows: UserRow[] = await this.db.query(`SELECT ${USER_COLUMNS} FROM identity.users WHERE email = $1`, [email]);
    return rows[0] ?? null;
  }

  findUsersByIds(ids: readonly string[]): Promise<UserRow[]> {
    return this.db.query(`SELECT ${USER_COLUMNS} FROM identity.users WHERE id = ANY($1::uuid[])`, [ids]);
  }

  findMembershipsByAccountIds(accountIds: readonly string[]): Promise<MembershipRow[]> {
    return this.db.query(
      `SELECT ${MEMBERSHIP_COLUMNS} FROM identity.memberships WHERE account_id = ANY($1::uuid[]) ORDER BY created_at, id`,
      [accountIds],
    );
  }

  findMembershipsByUserIds(userIds: readonly string[]): Promise<MembershipRow[]> {
    return this.db.query(
      `SELECT ${MEMBERSHIP_COLUMNS} FROM identity.memberships WHERE user_id = ANY($1::uuid[]) ORDER BY created_at, id`,
      [userIds],
    );
  }

  /** The access list: memberships that currently give access (active, on an account not closed). */
  findAccessList(userId: string): Promise<MembershipRow[]> {
    return this.db.query(
      `SELECT ${MEMBERSHIP_COLUMNS.split(', ').map((c) => `m.${c}`).join(', ')}
         FROM identity.memberships m JOIN hierarchy.accounts a ON a.id = m.account_id
        WHERE m.user_id = $1 AND a.status <> 'CLOSED'
        ORDER BY a.depth, m.created_at`,
      [userId],
    );
  }

  async insertMembership(values: { userId: string; accountId: string; role: string; createdBy: string | null; grantedPermissions?: string[] }): Promise<MembershipRow | null> {
    const rows: MembershipRow[] = await this.db.query(
      `INSERT INTO identity.memberships (user_id, account_id, role, created_by, granted_permissions) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (user_id, account_id) DO NOTHING RETURNING ${MEMBERSHIP_COLUMNS}`,
      [values.userId, values.accountId, values.role, values.createdBy, values.grantedPermissions ?? []],
    );
    return rows[0] ?? null;
  }

  async findMembershipById(id: string, options: { forUpdate?: boolean } = {}): Promise<MembershipRow | null> {
    const rows: MembershipRow[] = await this.db.query(
      `SELECT ${MEMBERSHIP_COLUMNS} FROM identity.memberships WHERE id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ?? null;
  }

  async findMembership(userId: string, accountId: string): Promise<MembershipRow | null> {
    const rows: MembershipRow[] = await this.db.query(`SELECT ${MEMBERSHIP_COLUMNS} FROM identity.memberships WHERE user_id = $1 AND account_id = $2`, [
      userId,
      accountId,
    ]);
    return rows[0] ?? null;
  }

  async updateMembership(
    id: string,
    values: Partial<{ status: string; grantedPermissions: string[]; revokedPermissions: string[]; allowedSenderIds: string[] | null; contactAccess: string; contactGroups: ContactGroupGrantRow[] }>,
  ): Promise<MembershipRow> {
    const sets: string[] = [];
    const params: unknown[] = [id];
    const set = (column: string, value: unknown, cast = '') => {
      params.push(value);
      sets.push(`${column} = $${params.length}${cast}`);
    };
    if (values.status !== undefined) set('status', values.status);
    if (values.grantedPermissions !== undefined) set('granted_permissions', values.grantedPermissions);
    if (values.revokedPermissions !== undefined) set('revoked_permissions', values.revokedPermissions);
    if (values.allowedSenderIds !== undefined) set('allowed_sender_ids', values.allowedSenderIds, '::uuid[]');
    if (values.contactAccess !== undefined) set('contact_access', values.contactAccess);
    if (values.contactGroups !== undefined) set('contact_groups', JSON.stringify(values.contactGroups), '::jsonb');
    const rows = (await queryRows<MembershipRow>(this.db, 
      `UPDATE identity.memberships SET ${sets.join(', ')}, updated_at = now() WHERE id = $1 RETURNING ${MEMBERSHIP_COLUMNS}`,
      params,
    ));
    return rows[0];
  }

  async insertUser(values: { email: string; name: string; passwordHash: string | null }): Promise<UserRow | null> {
    const rows: UserRow[] = await this.db.query(
      `INSERT INTO identity.users (email, name, password_hash) VALUES ($1, $2, $3) ON CONFLICT (email) DO NOTHING RETURNING ${USER_COLUMNS}`,
      [values.email, values.name, values.passwordHash],
    );
    return rows[0] ?? null;
  }

  /** Replaces an outdated hash (rehash on login); a concurrent change of the password wins. */
  async replacePasswordHash(userId: string, previousHash: string, newHash: string): Promise<void> {
    await this.db.query(`UPDATE identity.users SET password_hash = $3 WHERE id = $1 AND password_hash = $2`, [userId, previousHash, newHash]);
  }

  async deleteMembership(accountId: string, userId: string): Promise<MembershipRow | null> {
    const rows = await queryRows<MembershipRow>(
      this.db,
      `DELETE FROM identity.memberships WHERE account_id = $1 AND user_id = $2 RETURNING ${MEMBERSHIP_COLUMNS}`,
      [accountId, userId],
    );
    return rows[0] ?? null;
  }

  async countActiveAdmins(accountId: string): Promise<number> {
    const rows: { count: number }[] = await this.db.query(
      `SELECT count(*)::int AS count FROM identity.memberships WHERE account_id = $1 AND role = 'ADMIN' AND status = 'ACTIVE'`,
      [accountId],
    );
    return rows[0].count;
  }

  async insertSession(values: { userId: string; tokenHash: string; actingAccountId: string | null; ttlSeconds: number }): Promise<{ id: string; expires_at: Date }> {
    const rows = await this.db.query(
      `INSERT INTO identity.sessions (user_id, token_hash, acting_account_id, expires_at)
       VALUES ($1, $2, $3, now() + make_interval(secs => $4)) RETURNING id, expires_at`,
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

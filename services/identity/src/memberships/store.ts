import type { Role } from '@platform/authz';
import { queryRows, type Sql } from '@platform/db';
import type { ContactAccessMode, ContactGroupAccess, MembershipStatus } from '../__generated__/resolvers-types';

export interface ContactGroupGrantRow {
  groupId: string;
  access: ContactGroupAccess;
}

export interface MembershipRow {
  id: string;
  user_id: string;
  account_id: string;
  role: Role;
  status: MembershipStatus;
  granted_permissions: string[];
  revoked_permissions: string[];
  allowed_sender_ids: string[] | null;
  contact_access: ContactAccessMode;
  contact_groups: ContactGroupGrantRow[];
  created_at: Date;
}

const MEMBERSHIP_COLUMNS =
  'id, user_id, account_id, role, status, granted_permissions, revoked_permissions, allowed_sender_ids, contact_access, contact_groups, created_at';

/** Memberships: a user's role, permissions and limits on one account (SPEC I2, I3, I6). */
export class MembershipStore {
  constructor(private readonly db: Sql) {}

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

  async insertMembership(values: { userId: string; accountId: string; role: Role; createdBy: string | null; grantedPermissions?: string[] }): Promise<MembershipRow | null> {
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
    values: Partial<{ status: MembershipStatus; grantedPermissions: string[]; revokedPermissions: string[]; allowedSenderIds: string[] | null; contactAccess: ContactAccessMode; contactGroups: ContactGroupGrantRow[] }>,
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
}

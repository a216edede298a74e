import type { Role } from '@platform/authz';
import { keysetSql, pagesPerParentSql, queryOne, queryRows, timestampKeySql, type CountedConnection, type PageRequest, type Sql } from '@platform/db';
import type { ContactAccessMode, ContactGroupAccess, MembershipStatus, MembershipType } from '../__generated__/resolvers-types';

export interface ContactGroupGrantRow {
  groupId: string;
  access: ContactGroupAccess;
}

export interface MembershipRow {
  id: string;
  userId: string;
  accountId: string;
  role: Role;
  status: MembershipStatus;
  grantedPermissions: string[];
  revokedPermissions: string[];
  allowedSenderIds: string[] | null;
  contactAccess: ContactAccessMode;
  contactGroups: ContactGroupGrantRow[];
  createdAt: Date;
}

/** The columns of a MembershipRow; `table` qualifies them in a join. */
const membershipColumns = (table = '') =>
  `${table}id, ${table}user_id AS "userId", ${table}account_id AS "accountId", ${table}role, ${table}status,
   ${table}granted_permissions AS "grantedPermissions", ${table}revoked_permissions AS "revokedPermissions",
   ${table}allowed_sender_ids AS "allowedSenderIds", ${table}contact_access AS "contactAccess", ${table}contact_groups AS "contactGroups",
   ${table}created_at AS "createdAt"`;
const MEMBERSHIP_COLUMNS = membershipColumns();

export interface MemberListFilter {
  role?: Role | null;
  status?: MembershipStatus | null;
  type?: MembershipType | null;
}

/** A membership read for a page, with its sort key (created_at at full precision). */
export type MembershipPageRow = MembershipRow & { createdAtKey: string };
export type MembershipConnectionValue = CountedConnection<MembershipRow>;

/**
 * GUEST when the user's first (home) membership is on another tree than m's account (SPEC I4, I5);
 * the same rule as Membership.type.
 */
const MEMBERSHIP_TYPE_SQL = `CASE WHEN EXISTS (
    SELECT 1 FROM (SELECT h.account_id FROM identity.memberships h WHERE h.user_id = m.user_id ORDER BY h.created_at, h.id LIMIT 1) home
      JOIN hierarchy.accounts home_account ON home_account.id = home.account_id
      JOIN hierarchy.accounts account ON account.id = m.account_id
     WHERE home.account_id <> m.account_id AND home_account.root_id <> account.root_id
  ) THEN 'GUEST' ELSE 'MEMBER' END`;

/** The conditions of `filter` on the memberships aliased `m`, with their values appended to `parameters`. */
function memberConditions(filter: MemberListFilter, parameters: unknown[]): string[] {
  const conditions: string[] = [];
  const add = (condition: (placeholder: string) => string, value: unknown) => {
    parameters.push(value);
    conditions.push(condition(`$${parameters.length}`));
  };
  if (filter.role) add((p) => `m.role = ${p}`, filter.role);
  if (filter.status) add((p) => `m.status = ${p}`, filter.status);
  if (filter.type) add((p) => `${MEMBERSHIP_TYPE_SQL} = ${p}`, filter.type);
  return conditions;
}

/** Memberships: a user's role, permissions and limits on one account (SPEC I2, I3, I6). */
export class MembershipStore {
  constructor(private readonly db: Sql) {}

  /** The same page of each account's memberships matching filter, oldest first, in one statement. */
  findMemberPages(accountIds: readonly string[], filter: MemberListFilter, page: PageRequest<readonly [string, string]>): Promise<MembershipPageRow[]> {
    const parameters: unknown[] = [accountIds];
    const conditions = memberConditions(filter, parameters);
    const keyset = keysetSql(page, { columns: ['m.created_at', 'm.id'], types: ['timestamptz', 'uuid'], order: 'ASC', firstParameter: parameters.length + 1 });
    return queryRows<MembershipPageRow>(
      this.db,
      pagesPerParentSql({ select: `${membershipColumns('m.')}, ${timestampKeySql('m.created_at')} AS "createdAtKey"`, from: 'identity.memberships m', conditions: ['m.account_id = parent.id', ...conditions], keyset }),
      [...parameters, ...keyset.parameters],
    );
  }

  countMembers(accountIds: readonly string[], filter: MemberListFilter): Promise<{ accountId: string; count: number }[]> {
    const parameters: unknown[] = [accountIds];
    const conditions = ['m.account_id = ANY($1::uuid[])', ...memberConditions(filter, parameters)];
    return queryRows(this.db, `SELECT m.account_id AS "accountId", count(*)::int AS count FROM identity.memberships m WHERE ${conditions.join(' AND ')} GROUP BY m.account_id`, parameters);
  }

  findMembershipsByUserIds(userIds: readonly string[]): Promise<MembershipRow[]> {
    return queryRows<MembershipRow>(
      this.db,
      `SELECT ${MEMBERSHIP_COLUMNS} FROM identity.memberships WHERE user_id = ANY($1::uuid[]) ORDER BY created_at, id`,
      [userIds],
    );
  }

  /** The access list: memberships that currently give access (active, on an account not closed). */
  findAccessList(userId: string): Promise<MembershipRow[]> {
    return queryRows<MembershipRow>(
      this.db,
      `SELECT ${membershipColumns('m.')}
         FROM identity.memberships m JOIN hierarchy.accounts a ON a.id = m.account_id
        WHERE m.user_id = $1 AND a.status <> 'CLOSED'
        ORDER BY a.depth, m.created_at`,
      [userId],
    );
  }

  insertMembership(values: { userId: string; accountId: string; role: Role; createdBy: string | null; grantedPermissions?: string[] }): Promise<MembershipRow | null> {
    return queryOne<MembershipRow>(
      this.db,
      `INSERT INTO identity.memberships (user_id, account_id, role, created_by, granted_permissions) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (user_id, account_id) DO NOTHING RETURNING ${MEMBERSHIP_COLUMNS}`,
      [values.userId, values.accountId, values.role, values.createdBy, values.grantedPermissions ?? []],
    );
  }

  findMembershipById(id: string, options: { forUpdate?: boolean } = {}): Promise<MembershipRow | null> {
    return queryOne<MembershipRow>(
      this.db,
      `SELECT ${MEMBERSHIP_COLUMNS} FROM identity.memberships WHERE id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
  }

  findMembership(userId: string, accountId: string): Promise<MembershipRow | null> {
    return queryOne<MembershipRow>(this.db, `SELECT ${MEMBERSHIP_COLUMNS} FROM identity.memberships WHERE user_id = $1 AND account_id = $2`, [
      userId,
      accountId,
    ]);
  }

  async updateMembership(
    id: string,
    values: Partial<Pick<MembershipRow, 'status' | 'grantedPermissions' | 'revokedPermissions' | 'allowedSenderIds' | 'contactAccess' | 'contactGroups'>>,
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
    const rows = await queryRows<MembershipRow>(
      this.db,
      `UPDATE identity.memberships SET ${sets.join(', ')}, updated_at = now() WHERE id = $1 RETURNING ${MEMBERSHIP_COLUMNS}`,
      params,
    );
    return rows[0];
  }

  deleteMembership(accountId: string, userId: string): Promise<MembershipRow | null> {
    return queryOne<MembershipRow>(
      this.db,
      `DELETE FROM identity.memberships WHERE account_id = $1 AND user_id = $2 RETURNING ${MEMBERSHIP_COLUMNS}`,
      [accountId, userId],
    );
  }

  async countActiveAdmins(accountId: string): Promise<number> {
    const rows = await queryRows<{ count: number }>(
      this.db,
      `SELECT count(*)::int AS count FROM identity.memberships WHERE account_id = $1 AND role = 'ADMIN' AND status = 'ACTIVE'`,
      [accountId],
    );
    return rows[0].count;
  }
}

import type { Role } from '@platform/authz';
import { keysetSql, pagesPerParentSql, queryOne, queryRows, timestampKeySql, type CountedConnection, type PageRequest, type Sql } from '@platform/db';
import type { InvitationStatus } from '../__generated__/resolvers-types';

export interface InvitationRow {
  id: string;
  accountId: string;
  email: string;
  role: Role;
  grantedPermissions: string[];
  status: InvitationStatus;
  /** the inviting user, or null when an operator invited (invitedByOperator) */
  invitedBy: string | null;
  invitedByOperator: string | null;
  userId: string | null;
  membershipId: string | null;
  createdAt: Date;
  sentAt: Date | null;
  expiresAt: Date;
  respondedAt: Date | null;
}

const invitationColumns = (t = '') => `${t}id, ${t}account_id AS "accountId", ${t}email, ${t}role, ${t}granted_permissions AS "grantedPermissions", ${t}status, ${t}invited_by AS "invitedBy",
  ${t}invited_by_operator AS "invitedByOperator", ${t}user_id AS "userId", ${t}membership_id AS "membershipId", ${t}created_at AS "createdAt", ${t}sent_at AS "sentAt",
  ${t}expires_at AS "expiresAt", ${t}responded_at AS "respondedAt"`;
const INVITATION_COLUMNS = invitationColumns();

/** An invitation read for a page, with its sort key (created_at at full precision). */
export type InvitationPageRow = InvitationRow & { createdAtKey: string };
export type InvitationConnectionValue = CountedConnection<InvitationRow>;

/** Invitations of emails to accounts (SPEC I4). */
export class InvitationStore {
  constructor(private readonly db: Sql) {}

  insertInvitation(values: {
    accountId: string;
    email: string;
    role: Role;
    grantedPermissions: string[];
    tokenHash: string;
    invitedBy: { userId: string } | { operatorId: string };
    ttlSeconds: number;
  }): Promise<InvitationRow | null> {
    return queryOne<InvitationRow>(
      this.db,
      `INSERT INTO identity.invitations (account_id, email, role, granted_permissions, token_hash, invited_by, invited_by_operator, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $8, now() + make_interval(secs => $7))
       ON CONFLICT (account_id, email) WHERE status IN ('PENDING', 'SENT') DO NOTHING
       RETURNING ${INVITATION_COLUMNS}`,
      [
        values.accountId,
        values.email,
        values.role,
        values.grantedPermissions,
        values.tokenHash,
        'userId' in values.invitedBy ? values.invitedBy.userId : null,
        values.ttlSeconds,
        'operatorId' in values.invitedBy ? values.invitedBy.operatorId : null,
      ],
    );
  }

  /** Open invitations past their expiry become EXPIRED (so the email can be invited again). */
  async expireOpenInvitations(accountId: string, email: string): Promise<void> {
    await this.db.query(
      `UPDATE identity.invitations SET status = 'EXPIRED' WHERE account_id = $1 AND email = $2 AND status IN ('PENDING', 'SENT') AND expires_at <= now()`,
      [accountId, email],
    );
  }

  async markInvitationSent(id: string): Promise<InvitationRow> {
    const rows = await queryRows<InvitationRow>(
      this.db,
      `UPDATE identity.invitations SET status = 'SENT', sent_at = now() WHERE id = $1 AND status = 'PENDING' RETURNING ${INVITATION_COLUMNS}`,
      [id],
    );
    return rows[0];
  }

  findInvitationByTokenHash(tokenHash: string): Promise<InvitationRow | null> {
    return queryOne<InvitationRow>(this.db, `SELECT ${INVITATION_COLUMNS} FROM identity.invitations WHERE token_hash = $1`, [tokenHash]);
  }

  /** Open invitations addressed to an email, newest first (at most 100). */
  openInvitationsFor(email: string): Promise<InvitationRow[]> {
    return queryRows<InvitationRow>(
      this.db,
      `SELECT ${INVITATION_COLUMNS} FROM identity.invitations
        WHERE email = $1 AND status IN ('PENDING', 'SENT') AND expires_at > now() ORDER BY created_at DESC, id DESC LIMIT 100`,
      [email],
    );
  }

  findInvitationById(id: string): Promise<InvitationRow | null> {
    return queryOne<InvitationRow>(this.db, `SELECT ${INVITATION_COLUMNS} FROM identity.invitations WHERE id = $1`, [id]);
  }

  /** The same page of each account's invitations, newest first, in one statement. */
  findInvitationPages(accountIds: readonly string[], page: PageRequest<readonly [string, string]>): Promise<InvitationPageRow[]> {
    const keyset = keysetSql(page, { columns: ['i.created_at', 'i.id'], types: ['timestamptz', 'uuid'], order: 'DESC', firstParameter: 2 });
    return queryRows<InvitationPageRow>(
      this.db,
      pagesPerParentSql({ select: `${invitationColumns('i.')}, ${timestampKeySql('i.created_at')} AS "createdAtKey"`, from: 'identity.invitations i', conditions: ['i.account_id = parent.id'], keyset }),
      [accountIds, ...keyset.parameters],
    );
  }

  countInvitations(accountIds: readonly string[]): Promise<{ accountId: string; count: number }[]> {
    return queryRows(this.db, `SELECT account_id AS "accountId", count(*)::int AS count FROM identity.invitations WHERE account_id = ANY($1::uuid[]) GROUP BY account_id`, [accountIds]);
  }

  /** Moves an open, unexpired invitation to `status`; null when another request got there first. */
  respondToInvitation(id: string, status: 'ACCEPTED' | 'DECLINED' | 'REVOKED'): Promise<InvitationRow | null> {
    return queryOne<InvitationRow>(
      this.db,
      `UPDATE identity.invitations SET status = $2, responded_at = now()
        WHERE id = $1 AND status IN ('PENDING', 'SENT') AND ($2 = 'REVOKED' OR expires_at > now())
        RETURNING ${INVITATION_COLUMNS}`,
      [id, status],
    );
  }

  async linkInvitation(id: string, userId: string, membershipId: string): Promise<InvitationRow> {
    const rows = await queryRows<InvitationRow>(
      this.db,
      `UPDATE identity.invitations SET user_id = $2, membership_id = $3 WHERE id = $1 RETURNING ${INVITATION_COLUMNS}`,
      [id, userId, membershipId],
    );
    return rows[0];
  }
}

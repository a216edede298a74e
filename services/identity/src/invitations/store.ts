import type { Role } from '@platform/authz';
import { queryRows, type Sql } from '@platform/db';
import type { InvitationStatus } from '../__generated__/resolvers-types';

export interface InvitationRow {
  id: string;
  account_id: string;
  email: string;
  role: Role;
  granted_permissions: string[];
  status: InvitationStatus;
  invited_by: string;
  user_id: string | null;
  membership_id: string | null;
  created_at: Date;
  sent_at: Date | null;
  expires_at: Date;
  responded_at: Date | null;
}

const INVITATION_COLUMNS =
  'id, account_id, email, role, granted_permissions, status, invited_by, user_id, membership_id, created_at, sent_at, expires_at, responded_at';

/** Invitations of emails to accounts (SPEC I4). */
export class InvitationStore {
  constructor(private readonly db: Sql) {}

  async insertInvitation(values: {
    accountId: string;
    email: string;
    role: string;
    grantedPermissions: string[];
    tokenHash: string;
    invitedBy: string;
    ttlSeconds: number;
  }): Promise<InvitationRow | null> {
    const rows: InvitationRow[] = await this.db.query(
      `INSERT INTO identity.invitations (account_id, email, role, granted_permissions, token_hash, invited_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))
       ON CONFLICT (account_id, email) WHERE status IN ('PENDING', 'SENT') DO NOTHING
       RETURNING ${INVITATION_COLUMNS}`,
      [values.accountId, values.email, values.role, values.grantedPermissions, values.tokenHash, values.invitedBy, values.ttlSeconds],
    );
    return rows[0] ?? null;
  }

  /** Open invitations past their expiry become EXPIRED (so the email can be invited again). */
  async expireOpenInvitations(accountId: string, email: string): Promise<void> {
    (await queryRows<unknown>(this.db, 
      `UPDATE identity.invitations SET status = 'EXPIRED' WHERE account_id = $1 AND email = $2 AND status IN ('PENDING', 'SENT') AND expires_at <= now()`,
      [accountId, email],
    ));
  }

  async markInvitationSent(id: string): Promise<InvitationRow> {
    const rows = (await queryRows<InvitationRow>(this.db, 
      `UPDATE identity.invitations SET status = 'SENT', sent_at = now() WHERE id = $1 AND status = 'PENDING' RETURNING ${INVITATION_COLUMNS}`,
      [id],
    ));
    return rows[0];
  }

  async findInvitationByTokenHash(tokenHash: string): Promise<InvitationRow | null> {
    const rows: InvitationRow[] = await this.db.query(`SELECT ${INVITATION_COLUMNS} FROM identity.invitations WHERE token_hash = $1`, [tokenHash]);
    return rows[0] ?? null;
  }

  async findInvitationById(id: string): Promise<InvitationRow | null> {
    const rows: InvitationRow[] = await this.db.query(`SELECT ${INVITATION_COLUMNS} FROM identity.invitations WHERE id = $1`, [id]);
    return rows[0] ?? null;
  }

  findInvitationsByAccountIds(accountIds: readonly string[]): Promise<InvitationRow[]> {
    return this.db.query(
      `SELECT ${INVITATION_COLUMNS} FROM identity.invitations WHERE account_id = ANY($1::uuid[]) ORDER BY created_at DESC, id`,
      [accountIds],
    );
  }

  /** Moves an open, unexpired invitation to `status`; null when another request got there first. */
  async respondToInvitation(id: string, status: 'ACCEPTED' | 'DECLINED' | 'REVOKED'): Promise<InvitationRow | null> {
    const rows = (await queryRows<InvitationRow>(this.db, 
      `UPDATE identity.invitations SET status = $2, responded_at = now()
        WHERE id = $1 AND status IN ('PENDING', 'SENT') AND ($2 = 'REVOKED' OR expires_at > now())
        RETURNING ${INVITATION_COLUMNS}`,
      [id, status],
    ));
    return rows[0] ?? null;
  }

  async linkInvitation(id: string, userId: string, membershipId: string): Promise<InvitationRow> {
    const rows = (await queryRows<InvitationRow>(this.db, 
      `UPDATE identity.invitations SET user_id = $2, membership_id = $3 WHERE id = $1 RETURNING ${INVITATION_COLUMNS}`,
      [id, userId, membershipId],
    ));
    return rows[0];
  }
}

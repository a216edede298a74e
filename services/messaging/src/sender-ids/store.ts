import type { AccountChain } from '@platform/authz';
import { byKey, queryRows, type Sql, keysetSql, type PageRequest } from '@platform/db';
import type { SenderIdKind, SenderIdStatus } from '../__generated__/resolvers-types';

export interface SenderIdRow {
  id: string;
  accountId: string;
  kind: SenderIdKind;
  value: string;
  status: SenderIdStatus;
  sharedDown: boolean;
  /** why the operator rejected the request (REJECTED only) */
  rejectionReason: string | null;
  createdAt: Date;
}

const COLUMNS = 'id, account_id AS "accountId", kind, value, status, shared_down AS "sharedDown", rejection_reason AS "rejectionReason", created_at AS "createdAt"';

/** Sender IDs the account may send from: its own ACTIVE ones and its ancestors' ACTIVE ones shared down. */
export async function usableSenderId(db: Sql, chain: AccountChain, senderId: string): Promise<SenderIdRow | null> {
  const [row] = await queryRows<SenderIdRow>(
    db,
    `SELECT ${COLUMNS} FROM messaging.sender_ids WHERE id = $1 AND status = 'ACTIVE' AND (account_id = $2 OR (account_id = ANY($3::uuid[]) AND shared_down))`,
    [senderId, chain.id, chain.path],
  );
  return row ?? null;
}

export async function findSenderId(db: Sql, id: string): Promise<SenderIdRow | null> {
  const [row] = await queryRows<SenderIdRow>(db, `SELECT ${COLUMNS} FROM messaging.sender_ids WHERE id = $1`, [id]);
  return row ?? null;
}

/** For a DataLoader: sender IDs by id (null when unknown). */
export async function senderIdsByIds(db: Sql, ids: readonly string[]): Promise<(SenderIdRow | null)[]> {
  const rows = await queryRows<SenderIdRow>(db, `SELECT ${COLUMNS} FROM messaging.sender_ids WHERE id = ANY($1::uuid[])`, [ids]);
  return byKey(ids, rows, (row) => row.id);
}

/** The account's own sender IDs and those its ancestors share down. */
/** A page of the sender IDs the account may use (its own and those shared down), oldest first. */
export function senderIdsOfChain(db: Sql, chain: AccountChain, page: PageRequest<readonly [string, string]>): Promise<(SenderIdRow & { createdAtKey: string })[]> {
  const keyset = keysetSql(page, { columns: ['created_at', 'id'], types: ['timestamptz', 'uuid'], order: 'ASC', firstParameter: 3 });
  return queryRows(
    db,
    `SELECT ${COLUMNS}, created_at::text AS "createdAtKey" FROM messaging.sender_ids
      WHERE (account_id = $1 OR (account_id = ANY($2::uuid[]) AND shared_down)) AND ${keyset.where}
      ORDER BY ${keyset.orderBy} LIMIT ${keyset.limit}`,
    [chain.id, chain.path, ...keyset.parameters],
  );
}

/** A new sender ID; with a verification code hash, the code expires after `verificationTtlMinutes`. */
export async function insertSenderId(
  tx: Sql,
  row: { accountId: string; kind: SenderIdKind; value: string; status: SenderIdStatus; sharedDown: boolean; verificationCodeHash: string | null; verificationTtlMinutes: number },
): Promise<SenderIdRow> {
  const [inserted] = await queryRows<SenderIdRow>(
    tx,
    `INSERT INTO messaging.sender_ids (account_id, kind, value, status, shared_down, verification_code_hash, verification_expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $6::text IS NULL THEN NULL ELSE now() + make_interval(mins => $7) END) RETURNING ${COLUMNS}`,
    [row.accountId, row.kind, row.value, row.status, row.sharedDown, row.verificationCodeHash, row.verificationTtlMinutes],
  );
  return inserted;
}

/** Activates a PENDING_VERIFICATION sender ID whose unexpired code has this hash; null otherwise. */
export async function activateVerified(tx: Sql, id: string, codeHash: string): Promise<SenderIdRow | null> {
  const [row] = await queryRows<SenderIdRow>(
    tx,
    `UPDATE messaging.sender_ids SET status = 'ACTIVE', verification_code_hash = NULL
      WHERE id = $1 AND status = 'PENDING_VERIFICATION' AND verification_code_hash = $2 AND verification_expires_at > now() RETURNING ${COLUMNS}`,
    [id, codeHash],
  );
  return row ?? null;
}

/** Activates a REQUESTED sender ID; null when it is not (any longer) requested. */
export async function activateRequested(tx: Sql, id: string): Promise<SenderIdRow | null> {
  const [row] = await queryRows<SenderIdRow>(tx, `UPDATE messaging.sender_ids SET status = 'ACTIVE', reviewed_at = now() WHERE id = $1 AND status = 'REQUESTED' RETURNING ${COLUMNS}`, [id]);
  return row ?? null;
}

export async function rejectRequested(tx: Sql, id: string, reason: string): Promise<SenderIdRow | null> {
  const [row] = await queryRows<SenderIdRow>(
    tx,
    `UPDATE messaging.sender_ids SET status = 'REJECTED', rejection_reason = $2, reviewed_at = now() WHERE id = $1 AND status = 'REQUESTED' RETURNING ${COLUMNS}`,
    [id, reason],
  );
  return row ?? null;
}

/** Requests waiting for the operator, oldest first (a keyset page). */
export function requestedSenderIds(db: Sql, page: PageRequest<readonly [string, string]>): Promise<(SenderIdRow & { createdAtKey: string })[]> {
  const keyset = keysetSql(page, { columns: ['created_at', 'id'], types: ['timestamptz', 'uuid'], order: 'ASC', firstParameter: 1 });
  return queryRows(
    db,
    `SELECT ${COLUMNS}, created_at::text AS "createdAtKey" FROM messaging.sender_ids WHERE status = 'REQUESTED' AND ${keyset.where} ORDER BY ${keyset.orderBy} LIMIT ${keyset.limit}`,
    keyset.parameters,
  );
}

/** An ACTIVE sender ID of any account has this value (another platform sender). */
export async function isActiveSenderValue(db: Sql, value: string): Promise<boolean> {
  const [row] = await queryRows<{ id: string }>(db, `SELECT id FROM messaging.sender_ids WHERE value = $1 AND status = 'ACTIVE' LIMIT 1`, [value]);
  return Boolean(row);
}

import { queryRows, type Sql } from '@platform/db';

export interface SenderRow {
  id: string;
  accountId: string;
  email: string;
  createdAt: Date;
}

export interface RejectionRow {
  id: string;
  from: string;
  to: string;
  code: string;
  reason: string;
  receivedAt: Date;
}

const SENDER_COLUMNS = 'id, account_id AS "accountId", email, created_at AS "createdAt"';

export function sendersOfAccount(db: Sql, accountId: string): Promise<SenderRow[]> {
  return queryRows<SenderRow>(db, `SELECT ${SENDER_COLUMNS} FROM messaging.email_to_sms_senders WHERE account_id = $1 ORDER BY email`, [accountId]);
}

export async function findSender(db: Sql, id: string): Promise<SenderRow | null> {
  const [sender] = await queryRows<SenderRow>(db, `SELECT ${SENDER_COLUMNS} FROM messaging.email_to_sms_senders WHERE id = $1`, [id]);
  return sender ?? null;
}

/** The id of the account's registered sender with this address, or null. */
export async function registeredSenderId(db: Sql, accountId: string, email: string): Promise<string | null> {
  const [registered] = await queryRows<{ id: string }>(db, `SELECT id FROM messaging.email_to_sms_senders WHERE account_id = $1 AND email = $2`, [accountId, email]);
  return registered?.id ?? null;
}

/** The new sender; null when the address is registered already. */
export async function insertSender(tx: Sql, accountId: string, email: string, createdBy: string | null): Promise<SenderRow | null> {
  const [row] = await queryRows<SenderRow>(
    tx,
    `INSERT INTO messaging.email_to_sms_senders (account_id, email, created_by) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING ${SENDER_COLUMNS}`,
    [accountId, email, createdBy],
  );
  return row ?? null;
}

export async function deleteSender(tx: Sql, id: string): Promise<void> {
  await tx.query(`DELETE FROM messaging.email_to_sms_senders WHERE id = $1`, [id]);
}

export async function secretOfAccount(db: Sql, accountId: string): Promise<{ prefix: string; createdAt: Date } | null> {
  const [secret] = await queryRows<{ prefix: string; createdAt: Date }>(db, `SELECT prefix, created_at AS "createdAt" FROM messaging.email_to_sms_secrets WHERE account_id = $1`, [accountId]);
  return secret ?? null;
}

/** Replaces the account's ingestion secret; when it was created. */
export async function storeSecret(tx: Sql, accountId: string, secretHash: string, prefix: string, createdBy: string | null): Promise<Date> {
  const [row] = await queryRows<{ created_at: Date }>(
    tx,
    `INSERT INTO messaging.email_to_sms_secrets (account_id, secret_hash, prefix, created_by) VALUES ($1, $2, $3, $4)
     ON CONFLICT (account_id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, prefix = EXCLUDED.prefix, created_by = EXCLUDED.created_by, created_at = now()
     RETURNING created_at`,
    [accountId, secretHash, prefix, createdBy],
  );
  return row.created_at;
}

/** The account whose ingestion secret has this hash, or null. */
export async function accountOfSecret(db: Sql, secretHash: string): Promise<string | null> {
  const [owner] = await queryRows<{ account_id: string }>(db, `SELECT account_id FROM messaging.email_to_sms_secrets WHERE secret_hash = $1`, [secretHash]);
  return owner?.account_id ?? null;
}

/** The account's latest 50 refused emails, newest first. */
export function latestRejections(db: Sql, accountId: string): Promise<RejectionRow[]> {
  return queryRows<RejectionRow>(
    db,
    `SELECT id, from_email AS "from", to_address AS "to", code, reason, received_at AS "receivedAt" FROM messaging.email_to_sms_rejections WHERE account_id = $1 ORDER BY received_at DESC, id LIMIT 50`,
    [accountId],
  );
}

export async function insertRejection(db: Sql, rejection: { accountId: string; from: string; to: string; code: string; reason: string }): Promise<void> {
  await db.query(`INSERT INTO messaging.email_to_sms_rejections (account_id, from_email, to_address, code, reason) VALUES ($1, $2, $3, $4, $5)`, [
    rejection.accountId,
    rejection.from,
    rejection.to,
    rejection.code,
    rejection.reason,
  ]);
}

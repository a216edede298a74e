import { keysetSql, pagesPerParentSql, queryOne, queryRows, timestampKeySql, type PageRequest, type Sql } from '@platform/db';
import type { TopUpStatus, TopUpTrigger } from '../__generated__/resolvers-types';
import type { ChargeResult } from './payment-provider';

export interface TopUpRow {
  id: string;
  account_id: string;
  units: string;
  trigger: TopUpTrigger;
  status: TopUpStatus;
  payment_method_id: string;
  decline_reason: string | null;
  user_id: string | null;
  idempotency_key: string;
  created_at: Date;
}

const TOP_UP_COLUMNS = 'id, account_id, units, trigger, status, payment_method_id, decline_reason, user_id, idempotency_key, created_at';

/** Top-ups of an account, newest first. */
/** A top-up read for a page, with its sort key (created_at at full precision). */
export type TopUpPageRow = TopUpRow & { createdAtKey: string };

/** The same page of each account's top-ups, newest first, in one statement. */
export function topUpPages(db: Sql, accountIds: readonly string[], page: PageRequest<readonly [string, string]>): Promise<TopUpPageRow[]> {
  const keyset = keysetSql(page, { columns: ['t.created_at', 't.id'], types: ['timestamptz', 'uuid'], order: 'DESC', firstParameter: 2 });
  const columns = TOP_UP_COLUMNS.split(', ').map((column) => `t.${column}`).join(', ');
  return queryRows<TopUpPageRow>(
    db,
    pagesPerParentSql({ select: `${columns}, ${timestampKeySql('t.created_at')} AS "createdAtKey"`, from: 'billing.top_ups t', conditions: ['t.account_id = parent.id'], keyset }),
    [accountIds, ...keyset.parameters],
  );
}

export function countTopUps(db: Sql, accountIds: readonly string[]): Promise<{ accountId: string; count: number }[]> {
  return queryRows(db, `SELECT account_id AS "accountId", count(*)::int AS count FROM billing.top_ups WHERE account_id = ANY($1::uuid[]) GROUP BY account_id`, [accountIds]);
}

export function topUpByKey(tx: Sql, idempotencyKey: string): Promise<TopUpRow | null> {
  return queryOne<TopUpRow>(tx, `SELECT ${TOP_UP_COLUMNS} FROM billing.top_ups WHERE idempotency_key = $1`, [idempotencyKey]);
}

export async function lockTopUp(tx: Sql, id: string): Promise<TopUpRow> {
  const [current] = await queryRows<TopUpRow>(tx, `SELECT ${TOP_UP_COLUMNS} FROM billing.top_ups WHERE id = $1 FOR UPDATE`, [id]);
  return current;
}

/** The given payment method of the account, else its default one; removed methods do not count. */
export function usablePaymentMethod(tx: Sql, accountId: string, paymentMethodId: string | null): Promise<{ id: string } | null> {
  return queryOne<{ id: string }>(tx,
    paymentMethodId
      ? `SELECT id FROM billing.payment_methods WHERE account_id = $1 AND id = $2 AND removed_at IS NULL`
      : `SELECT id FROM billing.payment_methods WHERE account_id = $1 AND is_default AND removed_at IS NULL`,
    paymentMethodId ? [accountId, paymentMethodId] : [accountId],
  );
}

export async function providerTokenOf(db: Sql, paymentMethodId: string): Promise<string> {
  const [method] = await queryRows<{ provider_token: string }>(db, `SELECT provider_token FROM billing.payment_methods WHERE id = $1`, [paymentMethodId]);
  return method.provider_token;
}

export async function insertPendingTopUp(
  tx: Sql,
  topUp: { accountId: string; units: number; trigger: TopUpTrigger; paymentMethodId: string; userId: string | null; idempotencyKey: string },
): Promise<TopUpRow> {
  const [row] = await queryRows<TopUpRow>(tx,
    `INSERT INTO billing.top_ups (account_id, units, trigger, payment_method_id, user_id, idempotency_key)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${TOP_UP_COLUMNS}`,
    [topUp.accountId, topUp.units, topUp.trigger, topUp.paymentMethodId, topUp.userId, topUp.idempotencyKey],
  );
  return row;
}

export async function settleTopUp(tx: Sql, id: string, outcome: ChargeResult): Promise<TopUpRow> {
  const [settled] = await queryRows<TopUpRow>(tx,
    `UPDATE billing.top_ups SET status = $2, provider_reference = $3, decline_reason = $4, completed_at = now()
      WHERE id = $1 RETURNING ${TOP_UP_COLUMNS}`,
    [id, outcome.status, outcome.status === 'SUCCEEDED' ? outcome.providerReference : null, outcome.status === 'DECLINED' ? outcome.reason : null],
  );
  return settled;
}

/** Billing's own event rows for a settled top-up (TOP_UP_SUCCEEDED / TOP_UP_DECLINED). */
export async function recordTopUpEvent(tx: Sql, type: 'TOP_UP_SUCCEEDED' | 'TOP_UP_DECLINED', accountId: string, payload: Record<string, unknown>): Promise<void> {
  await queryRows(tx, `INSERT INTO billing.events (type, account_id, payload) VALUES ($1, $2, $3)`, [type, accountId, JSON.stringify(payload)]);
}

export interface AutoTopUpSettings {
  units: string;
  held: string;
  auto_top_up_threshold: string | null;
  auto_top_up_units: string | null;
  auto_top_up_payment_method_id: string | null;
}

/** A prepaid balance's automatic top-up settings, its row locked; null for a postpaid or absent balance. */
export function lockPrepaidAutoTopUp(tx: Sql, accountId: string): Promise<AutoTopUpSettings | null> {
  return queryOne<AutoTopUpSettings>(tx,
    `SELECT units, held, auto_top_up_threshold, auto_top_up_units, auto_top_up_payment_method_id
       FROM billing.balances WHERE account_id = $1 AND mode = 'PREPAID' FOR UPDATE`,
    [accountId],
  );
}

export async function hasPendingAutoTopUp(tx: Sql, accountId: string): Promise<boolean> {
  const [inFlight] = await queryRows(tx, `SELECT id FROM billing.top_ups WHERE account_id = $1 AND trigger = 'AUTOMATIC' AND status = 'PENDING'`, [accountId]);
  return inFlight !== undefined;
}

/** Prepaid balances below their automatic top-up threshold. */
export async function accountsDueForAutoTopUp(db: Sql): Promise<string[]> {
  const due = await queryRows<{ account_id: string }>(db,
    `SELECT account_id FROM billing.balances WHERE mode = 'PREPAID' AND auto_top_up_threshold IS NOT NULL AND units < auto_top_up_threshold`,
  );
  return due.map((row) => row.account_id);
}

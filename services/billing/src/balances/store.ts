import { byKey, queryOne, queryRows, type Sql } from '@platform/db';
import type { BillingMode } from '../__generated__/resolvers-types';

export interface BalanceRow {
  account_id: string;
  units: string;
  held: string;
  mode: BillingMode;
  credit_ceiling: string;
  low_balance_threshold: string | null;
  auto_top_up_threshold: string | null;
  auto_top_up_units: string | null;
  auto_top_up_payment_method_id: string | null;
}

/** For a DataLoader: the balance row of each account that pays for itself (null: it draws on an ancestor's). */
export async function balancesOf(db: Sql, accountIds: readonly string[]): Promise<(BalanceRow | null)[]> {
  const rows = await queryRows<BalanceRow>(db, `SELECT * FROM billing.balances WHERE account_id = ANY($1::uuid[])`, [accountIds]);
  return byKey(accountIds, rows, (row) => row.account_id);
}

/** The units of the balances of the given accounts that have one (ids as one text: node-postgres builds a uuid[] parameter element by element). */
export async function unitsOfBalances(db: Sql, accountIds: readonly string[]): Promise<Map<string, number>> {
  const rows = await queryRows<{ account_id: string; units: string }>(db, `SELECT account_id, units FROM billing.balances WHERE account_id = ANY(string_to_array($1, ',')::uuid[])`, [accountIds.join(',')]);
  return new Map(rows.map((row) => [row.account_id, Number(row.units)]));
}

/** The mode of an account's own balance, its row locked; null when it draws on an ancestor's. */
export function lockBalanceMode(tx: Sql, accountId: string): Promise<{ mode: BillingMode } | null> {
  return queryOne<{ mode: BillingMode }>(tx, `SELECT mode FROM billing.balances WHERE account_id = $1 FOR UPDATE`, [accountId]);
}

/** Locks an account's balance row before a ledger movement moves it. */
export async function lockBalance(tx: Sql, accountId: string): Promise<void> {
  await queryRows(tx, `SELECT account_id FROM billing.balances WHERE account_id = $1 FOR UPDATE`, [accountId]);
}

/** A balance row (0 units) for an account that pays for itself; false when it had one. */
export async function createBalance(tx: Sql, accountId: string, mode: BillingMode): Promise<boolean> {
  const created = await queryRows(tx, `INSERT INTO billing.balances (account_id, units, mode) VALUES ($1, 0, $2) ON CONFLICT (account_id) DO NOTHING RETURNING account_id`, [
    accountId,
    mode,
  ]);
  return created.length > 0;
}

export interface BalanceTerms {
  mode: BillingMode;
  units: string;
  held: string;
  credit_ceiling: string;
}

/** The mode, ceiling and units of an account's own balance, its row locked; null when it draws on an ancestor's. */
export function lockBalanceTerms(tx: Sql, accountId: string): Promise<BalanceTerms | null> {
  return queryOne<BalanceTerms>(tx, `SELECT mode, units, held, credit_ceiling FROM billing.balances WHERE account_id = $1 FOR UPDATE`, [accountId]);
}

export async function setBalanceTerms(tx: Sql, accountId: string, mode: BillingMode, creditCeiling: number): Promise<void> {
  await queryRows(tx, `UPDATE billing.balances SET mode = $2, credit_ceiling = $3, updated_at = now() WHERE account_id = $1`, [accountId, mode, creditCeiling]);
}

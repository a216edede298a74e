import { byKey, prepared, queryOne, queryRows, type Sql } from '@platform/db';
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

/**
 * The units of the balance that pays for each account (its own, else its nearest ancestor's; 0 when
 * none does, or for an unknown account), in the order given, in one statement that needs nothing read
 * before it (an `_entities` call's balances are read while its references are decided). The payer
 * above an account is found once per distinct path above it (a 10,000-account tree: ~1,111), not per
 * account. Ids go as one text: node-postgres builds a uuid[] parameter element by element.
 */
const PAYING_UNITS_SQL = `
  WITH refs AS (
    SELECT t.ord, a.id, a.path[1:a.depth] AS above
      FROM unnest(string_to_array($1, ',')::uuid[]) WITH ORDINALITY AS t(id, ord) LEFT JOIN hierarchy.accounts a ON a.id = t.id
  ), payers AS (
    SELECT p.above, (SELECT b.units FROM unnest(p.above) WITH ORDINALITY AS u(id, k) JOIN billing.balances b ON b.account_id = u.id ORDER BY u.k DESC LIMIT 1) AS units
      FROM (SELECT DISTINCT above FROM refs WHERE cardinality(above) > 0) p
  )
  SELECT string_agg(coalesce(own.units, payers.units, 0)::text, ',' ORDER BY r.ord) AS units
    FROM refs r LEFT JOIN billing.balances own ON own.account_id = r.id LEFT JOIN payers ON payers.above = r.above`;

export async function payingUnitsOf(db: Sql, accountIds: readonly string[]): Promise<number[]> {
  const [row] = await queryRows<{ units: string | null }>(db, prepared(PAYING_UNITS_SQL), [accountIds.join(',')]);
  return row?.units ? row.units.split(',').map(Number) : [];
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

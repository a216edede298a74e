import crypto from 'node:crypto';
import { byKey, groupBy, queryOne, queryRows, type Sql } from '@platform/db';
import type { LedgerKind } from '../__generated__/resolvers-types';

/** BALANCE is an account's spendable credit; the other books are its counterparts (double entry). */
export type LedgerBook = 'BALANCE' | 'USAGE' | 'PAYMENTS' | 'CREDIT_LINE';

export interface LedgerLine {
  book: LedgerBook;
  payingAccountId: string;
  units: number;
  spendingAccountId?: string | null;
  userId?: string | null;
}

export interface Movement {
  kind: LedgerKind;
  idempotencyKey: string;
  reference?: string | null;
  lines: LedgerLine[];
}

/**
 * Appends one movement (rows summing to zero) and moves the balances of its BALANCE lines in the
 * same transaction. The caller holds the balance rows' locks (or lets the UPDATE take them).
 */
export async function postMovement(tx: Sql, movement: Movement): Promise<{ movementId: string; balancesAfter: Map<string, number> }> {
  const lines = movement.lines.filter((l) => l.units !== 0);
  if (lines.reduce((sum, l) => sum + l.units, 0) !== 0) throw new Error(`Unbalanced ${movement.kind} movement`);
  const movementId = crypto.randomUUID();
  const balancesAfter = new Map<string, number>();
  for (const line of lines) {
    let balanceAfter: number | null = null;
    if (line.book === 'BALANCE') {
      const [row] = await queryRows<{ units: string }>(tx,
        `UPDATE billing.balances SET units = units + $2, updated_at = now() WHERE account_id = $1 RETURNING units`,
        [line.payingAccountId, line.units],
      );
      if (!row) throw new Error(`No balance for account ${line.payingAccountId}`);
      balanceAfter = Number(row.units);
      balancesAfter.set(line.payingAccountId, balanceAfter);
    }
    await queryRows(tx,
      `INSERT INTO billing.ledger_entries
         (movement_id, kind, book, paying_account_id, spending_account_id, user_id, reference, units, balance_after, idempotency_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        movementId,
        movement.kind,
        line.book,
        line.payingAccountId,
        line.spendingAccountId ?? null,
        line.userId ?? null,
        movement.reference ?? null,
        line.units,
        balanceAfter,
        movement.idempotencyKey,
      ],
    );
  }
  return { movementId, balancesAfter };
}

export interface ReconciliationReport {
  /** balances whose units differ from their ledger sum, or whose held differs from their HELD reservations */
  balanceMismatches: { accountId: string; units: number; ledgerUnits: number; held: number; reservedUnits: number }[];
  /** movements whose rows do not sum to zero */
  unbalancedMovements: string[];
  /** captured reservations whose ledger debit differs from captured_units */
  captureMismatches: string[];
  /** limit rows whose held differs from the reservations they carry */
  limitHeldMismatches: { accountId: string; userId: string | null; held: number; reservedUnits: number }[];
}

/** SPEC B2: proves ledger sum = balance for every account (and that holds add up). Empty lists = consistent. */
export async function reconcileLedger(db: Sql): Promise<ReconciliationReport> {
  const balanceMismatches = await queryRows<{ account_id: string; units: string; ledger_units: string; held: string; reserved_units: string }>(db, `
    SELECT b.account_id, b.units, coalesce(l.units, 0) AS ledger_units, b.held, coalesce(r.units, 0) AS reserved_units
      FROM billing.balances b
      LEFT JOIN (SELECT paying_account_id, sum(units) AS units FROM billing.ledger_entries WHERE book = 'BALANCE' GROUP BY 1) l
        ON l.paying_account_id = b.account_id
      LEFT JOIN (SELECT paying_account_id, sum(units) AS units FROM billing.reservations WHERE status = 'HELD' GROUP BY 1) r
        ON r.paying_account_id = b.account_id
     WHERE b.units <> coalesce(l.units, 0) OR b.held <> coalesce(r.units, 0)`);
  const unbalanced = await queryRows<{ movement_id: string }>(db,
    `SELECT movement_id FROM billing.ledger_entries GROUP BY movement_id HAVING sum(units) <> 0`,
  );
  const captures = await queryRows<{ id: string }>(db, `
    SELECT r.id
      FROM billing.reservations r
      LEFT JOIN (SELECT idempotency_key, -sum(units) AS units FROM billing.ledger_entries
                  WHERE kind = 'USAGE' AND book = 'BALANCE' GROUP BY 1) l ON l.idempotency_key = 'capture:' || r.id
     WHERE r.captured_units <> coalesce(l.units, 0)`);
  const limits = await queryRows<{ account_id: string; user_id: string | null; held: string; reserved_units: string }>(db, `
    SELECT l.account_id, NULL::uuid AS user_id, l.held, coalesce(sum(r.units), 0) AS reserved_units
      FROM billing.account_limits l
      LEFT JOIN billing.reservations r ON r.status = 'HELD' AND l.account_id = ANY(r.limited_account_ids)
     GROUP BY l.account_id, l.held HAVING l.held <> coalesce(sum(r.units), 0)
    UNION ALL
    SELECT u.account_id, u.user_id, u.held, coalesce(sum(r.units), 0)
      FROM billing.user_limits u
      LEFT JOIN billing.reservations r ON r.status = 'HELD' AND r.user_id = u.user_id AND u.account_id = ANY(r.user_limit_account_ids)
     GROUP BY u.account_id, u.user_id, u.held HAVING u.held <> coalesce(sum(r.units), 0)`);
  return {
    balanceMismatches: balanceMismatches.map((r) => ({
      accountId: r.account_id,
      units: Number(r.units),
      ledgerUnits: Number(r.ledger_units),
      held: Number(r.held),
      reservedUnits: Number(r.reserved_units),
    })),
    unbalancedMovements: unbalanced.map((r) => r.movement_id),
    captureMismatches: captures.map((r) => r.id),
    limitHeldMismatches: limits.map((r) => ({ accountId: r.account_id, userId: r.user_id, held: Number(r.held), reservedUnits: Number(r.reserved_units) })),
  };
}

export interface LimitRow {
  account_id: string;
  credit_limit: string;
  spent: string;
  held: string;
}

export interface UserLimitRow extends LimitRow {
  user_id: string;
  monthly_renewal: boolean;
  period_start: string;
}

export interface LedgerEntryRow {
  /** bigserial, as text */
  id: string;
  movementId: string;
  kind: LedgerKind;
  book: LedgerBook;
  payingAccountId: string;
  spendingAccountId: string | null;
  userId: string | null;
  reference: string | null;
  units: string;
  balanceAfter: string;
  idempotencyKey: string;
  createdAt: Date;
}

const LEDGER_ENTRY_COLUMNS = `id, movement_id AS "movementId", kind, book, paying_account_id AS "payingAccountId",
  spending_account_id AS "spendingAccountId", user_id AS "userId", reference, units, balance_after AS "balanceAfter",
  idempotency_key AS "idempotencyKey", created_at AS "createdAt"`;

/** For a DataLoader: the sub-account limit of each account (null when it has none). */
export async function limitsOf(db: Sql, accountIds: readonly string[]): Promise<(LimitRow | null)[]> {
  const rows = await queryRows<LimitRow>(db, `SELECT * FROM billing.account_limits WHERE account_id = ANY($1::uuid[])`, [accountIds]);
  return byKey(accountIds, rows, (row) => row.account_id);
}

/** For a DataLoader: the user limits of each account, by user. */
export async function userLimitsOf(db: Sql, accountIds: readonly string[]): Promise<UserLimitRow[][]> {
  const rows = await queryRows<UserLimitRow>(
    db,
    `SELECT account_id, user_id, credit_limit, monthly_renewal, spent, held, to_char(period_start, 'YYYY-MM-DD') AS period_start
       FROM billing.user_limits WHERE account_id = ANY($1::uuid[]) ORDER BY user_id`,
    [accountIds],
  );
  return groupBy(accountIds, rows, (row) => row.account_id);
}

export interface LedgerFilter {
  kinds: readonly LedgerKind[] | null;
  userId: string | null;
  from: Date | null;
  to: Date | null;
}

/** The BALANCE rows an account pays from or spends, newest first, `limit` of them after the row id `after`. */
export function ledgerEntries(db: Sql, accountId: string, after: string | null, filter: LedgerFilter, limit: number): Promise<LedgerEntryRow[]> {
  const conditions = [`book = 'BALANCE'`, `(paying_account_id = $1 OR spending_account_id = $1)`];
  const params: unknown[] = [accountId];
  const where = (condition: (placeholder: string) => string, value: unknown) => {
    params.push(value);
    conditions.push(condition(`$${params.length}`));
  };
  if (after) where((p) => `id < ${p}`, after);
  if (filter.kinds?.length) where((p) => `kind = ANY(${p}::text[])`, filter.kinds);
  if (filter.userId) where((p) => `user_id = ${p}`, filter.userId);
  if (filter.from) where((p) => `created_at >= ${p}`, filter.from);
  if (filter.to) where((p) => `created_at < ${p}`, filter.to);
  params.push(limit);
  return queryRows<LedgerEntryRow>(db, `SELECT ${LEDGER_ENTRY_COLUMNS} FROM billing.ledger_entries WHERE ${conditions.join(' AND ')} ORDER BY id DESC LIMIT $${params.length}`, params);
}

export async function payingAccountOfReservation(db: Sql, reservationId: string): Promise<string> {
  const row = await queryOne<{ paying_account_id: string }>(db, `SELECT paying_account_id FROM billing.reservations WHERE id = $1`, [reservationId]);
  return row!.paying_account_id;
}

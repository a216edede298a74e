import crypto from 'node:crypto';
import type { Sql } from './sql';

export type LedgerKind = 'OPENING' | 'USAGE' | 'TOP_UP' | 'TRANSFER' | 'INVOICE_PAYMENT' | 'CREDIT_CEILING';
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
      const [row] = await tx.rows<{ units: string }>(
        `UPDATE billing.balances SET units = units + $2, updated_at = now() WHERE account_id = $1 RETURNING units`,
        [line.payingAccountId, line.units],
      );
      if (!row) throw new Error(`No balance for account ${line.payingAccountId}`);
      balanceAfter = Number(row.units);
      balancesAfter.set(line.payingAccountId, balanceAfter);
    }
    await tx.rows(
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
  const balanceMismatches = await db.rows<{ account_id: string; units: string; ledger_units: string; held: string; reserved_units: string }>(`
    SELECT b.account_id, b.units, coalesce(l.units, 0) AS ledger_units, b.held, coalesce(r.units, 0) AS reserved_units
      FROM billing.balances b
      LEFT JOIN (SELECT paying_account_id, sum(units) AS units FROM billing.ledger_entries WHERE book = 'BALANCE' GROUP BY 1) l
        ON l.paying_account_id = b.account_id
      LEFT JOIN (SELECT paying_account_id, sum(units) AS units FROM billing.reservations WHERE status = 'HELD' GROUP BY 1) r
        ON r.paying_account_id = b.account_id
     WHERE b.units <> coalesce(l.units, 0) OR b.held <> coalesce(r.units, 0)`);
  const unbalanced = await db.rows<{ movement_id: string }>(
    `SELECT movement_id FROM billing.ledger_entries GROUP BY movement_id HAVING sum(units) <> 0`,
  );
  const captures = await db.rows<{ id: string }>(`
    SELECT r.id
      FROM billing.reservations r
      LEFT JOIN (SELECT idempotency_key, -sum(units) AS units FROM billing.ledger_entries
                  WHERE kind = 'USAGE' AND book = 'BALANCE' GROUP BY 1) l ON l.idempotency_key = 'capture:' || r.id
     WHERE r.captured_units <> coalesce(l.units, 0)`);
  const limits = await db.rows<{ account_id: string; user_id: string | null; held: string; reserved_units: string }>(`
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

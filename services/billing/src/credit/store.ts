import crypto from 'node:crypto';
import { byKey, groupBy, keysetSql, pagesPerParentSql, prepared, queryOne, queryRows, type PageRequest, type Sql } from '@platform/db';
import { lockedChainSql, rootAccountIdOf, type ChainRow } from '@platform/authz';
import type { LedgerKind, ReservationStatus } from '../__generated__/resolvers-types';

/** BALANCE is an account's spendable credit; the other books are its counterparts (double entry). */
export type LedgerBook = 'BALANCE' | 'USAGE' | 'PAYMENTS' | 'CREDIT_LINE' | 'ADJUSTMENTS';

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
  /** ADJUSTMENT movements only: the operator's reason */
  reason?: string | null;
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
         (movement_id, kind, book, paying_account_id, spending_account_id, user_id, reference, units, balance_after, idempotency_key, reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
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
        movement.reason ?? null,
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

export interface UserLimitRow extends Omit<LimitRow, 'credit_limit'> {
  user_id: string;
  /** null: the limit was cleared; the row keeps counting what the user spends this period */
  credit_limit: string | null;
  /** set as the credit limit on the 1st of each month (SPEC I6); null: the limit does not renew */
  renewal_amount: string | null;
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
  reason: string | null;
  units: string;
  balanceAfter: string;
  idempotencyKey: string;
  createdAt: Date;
}

const LEDGER_ENTRY_COLUMNS = `id, movement_id AS "movementId", kind, book, paying_account_id AS "payingAccountId",
  spending_account_id AS "spendingAccountId", user_id AS "userId", reference, reason, units, balance_after AS "balanceAfter",
  idempotency_key AS "idempotencyKey", created_at AS "createdAt"`;

/** For a DataLoader: the sub-account limit of each account (null when it has none). */
export async function limitsOf(db: Sql, accountIds: readonly string[]): Promise<(LimitRow | null)[]> {
  const rows = await queryRows<LimitRow>(db, `SELECT * FROM billing.account_limits WHERE account_id = ANY($1::uuid[])`, [accountIds]);
  return byKey(accountIds, rows, (row) => row.account_id);
}

/** A membership of identity, named by its key in billing. */
export interface MembershipKey {
  accountId: string;
  userId: string;
}

/** A user limit that is set (a cleared one only keeps the period's spending). */
export type SetUserLimitRow = UserLimitRow & { credit_limit: string };

const USER_LIMIT_COLUMNS = `account_id, user_id, credit_limit, renewal_amount, spent, held, to_char(period_start, 'YYYY-MM-DD') AS period_start`;

/** For a DataLoader: the user limits set on each account, by user. */
export async function userLimitsOf(db: Sql, accountIds: readonly string[]): Promise<SetUserLimitRow[][]> {
  const rows = await queryRows<SetUserLimitRow>(
    db,
    `SELECT ${USER_LIMIT_COLUMNS} FROM billing.user_limits WHERE account_id = ANY($1::uuid[]) AND credit_limit IS NOT NULL ORDER BY user_id`,
    [accountIds],
  );
  return groupBy(accountIds, rows, (row) => row.account_id);
}

/** For a DataLoader keyed by `accountId:userId`: the user limit set on each membership (null when none). */
export async function userLimitsOfMemberships(db: Sql, keys: readonly string[]): Promise<(SetUserLimitRow | null)[]> {
  const pairs = keys.map((key) => key.split(':'));
  const rows = await queryRows<SetUserLimitRow>(
    db,
    `SELECT ${USER_LIMIT_COLUMNS} FROM billing.user_limits
      WHERE (account_id, user_id) IN (SELECT * FROM unnest($1::uuid[], $2::uuid[])) AND credit_limit IS NOT NULL`,
    [pairs.map(([accountId]) => accountId), pairs.map(([, userId]) => userId)],
  );
  return byKey(keys, rows, (row) => `${row.account_id}:${row.user_id}`);
}

/** The same page of each account's user limits that are set, by user id, in one statement. */
export function userCreditPages(db: Sql, accountIds: readonly string[], page: PageRequest<readonly [string]>): Promise<SetUserLimitRow[]> {
  const keyset = keysetSql(page, { columns: ['u.user_id'], types: ['uuid'], order: 'ASC', firstParameter: 2 });
  return queryRows<SetUserLimitRow>(
    db,
    pagesPerParentSql({
      select: `u.account_id, u.user_id, u.credit_limit, u.renewal_amount, u.spent, u.held, to_char(u.period_start, 'YYYY-MM-DD') AS period_start`,
      from: 'billing.user_limits u',
      conditions: ['u.account_id = parent.id', 'u.credit_limit IS NOT NULL'],
      keyset,
    }),
    [accountIds, ...keyset.parameters],
  );
}

export function countUserCredits(db: Sql, accountIds: readonly string[]): Promise<{ accountId: string; count: number }[]> {
  return queryRows(db, `SELECT account_id AS "accountId", count(*)::int AS count FROM billing.user_limits WHERE account_id = ANY($1::uuid[]) AND credit_limit IS NOT NULL GROUP BY account_id`, [accountIds]);
}

export interface LedgerFilter {
  kinds: readonly LedgerKind[] | null;
  userId: string | null;
  from: Date | null;
  to: Date | null;
}

/** The BALANCE rows an account pays from or spends, newest first, `limit` of them after the row id `after`. */
/** The entries of an account's ledger matching filter, and their values. */
function ledgerConditions(accountId: string, filter: LedgerFilter): { conditions: string[]; params: unknown[] } {
  const conditions = [`book = 'BALANCE'`, `(paying_account_id = $1 OR spending_account_id = $1)`];
  const params: unknown[] = [accountId];
  const where = (condition: (placeholder: string) => string, value: unknown) => {
    params.push(value);
    conditions.push(condition(`$${params.length}`));
  };
  if (filter.kinds?.length) where((p) => `kind = ANY(${p}::text[])`, filter.kinds);
  if (filter.userId) where((p) => `user_id = ${p}`, filter.userId);
  if (filter.from) where((p) => `created_at >= ${p}`, filter.from);
  if (filter.to) where((p) => `created_at < ${p}`, filter.to);
  return { conditions, params };
}

/** A page of an account's ledger, newest first: by id (a sequence, so the order has no ties). */
export function ledgerEntries(db: Sql, accountId: string, filter: LedgerFilter, page: PageRequest<readonly [string]>): Promise<LedgerEntryRow[]> {
  const { conditions, params } = ledgerConditions(accountId, filter);
  const keyset = keysetSql(page, { columns: ['id'], types: ['bigint'], order: 'DESC', firstParameter: params.length + 1 });
  return queryRows<LedgerEntryRow>(
    db,
    `SELECT ${LEDGER_ENTRY_COLUMNS} FROM billing.ledger_entries WHERE ${conditions.join(' AND ')} AND ${keyset.where} ORDER BY ${keyset.orderBy} LIMIT ${keyset.limit}`,
    [...params, ...keyset.parameters],
  );
}

export async function countLedgerEntries(db: Sql, accountId: string, filter: LedgerFilter): Promise<number> {
  const { conditions, params } = ledgerConditions(accountId, filter);
  const [row] = await queryRows<{ count: number }>(db, `SELECT count(*)::int AS count FROM billing.ledger_entries WHERE ${conditions.join(' AND ')}`, params);
  return row.count;
}

/** The BALANCE row of a movement (the entry an account's ledger shows). */
export async function balanceEntryOfMovement(db: Sql, movementId: string): Promise<LedgerEntryRow> {
  const row = await queryOne<LedgerEntryRow>(db, `SELECT ${LEDGER_ENTRY_COLUMNS} FROM billing.ledger_entries WHERE movement_id = $1 AND book = 'BALANCE'`, [movementId]);
  return row!;
}

export async function payingAccountOfReservation(db: Sql, reservationId: string): Promise<string> {
  const row = await queryOne<{ paying_account_id: string }>(db, `SELECT paying_account_id FROM billing.reservations WHERE id = $1`, [reservationId]);
  return row!.paying_account_id;
}

/** Serializes the callers of one idempotency key until the transaction ends (replays queue; one does the work). */
export async function lockIdempotencyKey(tx: Sql, key: string): Promise<void> {
  await queryRows(tx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [key]);
}

export interface ReservationRow {
  id: string;
  idempotency_key: string;
  account_id: string;
  user_id: string | null;
  paying_account_id: string;
  limited_account_ids: string[];
  user_limit_account_ids: string[];
  units: string;
  captured_units: string;
  reference: string;
  status: ReservationStatus;
  expires_at: Date;
}

const RESERVATION_COLUMNS = `id, idempotency_key, account_id, user_id, paying_account_id, limited_account_ids,
  user_limit_account_ids, units, captured_units, reference, status, expires_at`;

export function reservationByKey(tx: Sql, idempotencyKey: string): Promise<ReservationRow | null> {
  return queryOne<ReservationRow>(tx, `SELECT ${RESERVATION_COLUMNS} FROM billing.reservations WHERE idempotency_key = $1`, [idempotencyKey]);
}

export function lockReservation(tx: Sql, id: string): Promise<ReservationRow | null> {
  return queryOne<ReservationRow>(tx, `SELECT ${RESERVATION_COLUMNS} FROM billing.reservations WHERE id = $1 FOR UPDATE`, [id]);
}

/** The held reservation that expired first, locked; skips those another sweeper holds. */
export function lockNextExpiredReservation(tx: Sql): Promise<ReservationRow | null> {
  return queryOne<ReservationRow>(tx,
    `SELECT ${RESERVATION_COLUMNS} FROM billing.reservations
      WHERE status = 'HELD' AND expires_at <= now() ORDER BY expires_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
  );
}

export interface NewReservation {
  idempotencyKey: string;
  accountId: string;
  userId: string | null;
  payingAccountId: string;
  limitedAccountIds: string[];
  userLimitAccountIds: string[];
  units: number;
  reference: string;
  holdSeconds: number;
}

export async function insertReservation(tx: Sql, reservation: NewReservation): Promise<ReservationRow> {
  const [created] = await queryRows<ReservationRow>(tx,
    `INSERT INTO billing.reservations
       (idempotency_key, account_id, user_id, paying_account_id, limited_account_ids, user_limit_account_ids, units, reference, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now() + make_interval(secs => $9))
     RETURNING ${RESERVATION_COLUMNS}`,
    [
      reservation.idempotencyKey,
      reservation.accountId,
      reservation.userId,
      reservation.payingAccountId,
      reservation.limitedAccountIds,
      reservation.userLimitAccountIds,
      reservation.units,
      reservation.reference,
      reservation.holdSeconds,
    ],
  );
  return created;
}

export async function markCaptured(tx: Sql, id: string, capturedUnits: number): Promise<ReservationRow> {
  const [updated] = await queryRows<ReservationRow>(tx,
    `UPDATE billing.reservations SET status = 'CAPTURED', captured_units = $2, settled_at = now() WHERE id = $1 RETURNING ${RESERVATION_COLUMNS}`,
    [id, capturedUnits],
  );
  return updated;
}

export async function markReleased(tx: Sql, id: string, status: 'RELEASED' | 'EXPIRED'): Promise<ReservationRow> {
  const [updated] = await queryRows<ReservationRow>(tx,
    `UPDATE billing.reservations SET status = $2, settled_at = now() WHERE id = $1 RETURNING ${RESERVATION_COLUMNS}`,
    [id, status],
  );
  return updated;
}

/** The sub-account limits on a chain, locked root first. */
export function lockAccountLimits(tx: Sql, path: string[]): Promise<LimitRow[]> {
  return queryRows<LimitRow>(tx,
    `SELECT account_id, credit_limit, spent, held FROM billing.account_limits
      WHERE account_id = ANY($1::uuid[]) ORDER BY array_position($1::uuid[], account_id) FOR UPDATE`,
    [path],
  );
}

/** A user's limits on a chain, locked root first. */
export function lockUserLimits(tx: Sql, path: string[], userId: string): Promise<UserLimitRow[]> {
  return queryRows<UserLimitRow>(tx,
    `SELECT ${USER_LIMIT_COLUMNS} FROM billing.user_limits
      WHERE user_id = $2 AND account_id = ANY($1::uuid[]) ORDER BY array_position($1::uuid[], account_id) FOR UPDATE`,
    [path, userId],
  );
}

/** The balance that pays for the end of `path` (the deepest one on it), locked. */
export function lockPayingBalance(tx: Sql, path: string[]): Promise<{ account_id: string; units: string; held: string } | null> {
  return queryOne<{ account_id: string; units: string; held: string }>(tx,
    `SELECT account_id, units, held FROM billing.balances
      WHERE account_id = ANY($1::uuid[]) ORDER BY array_position($1::uuid[], account_id) DESC LIMIT 1 FOR UPDATE`,
    [path],
  );
}

/** Adds `units` to the held counters of the given limits and of the paying balance (rows already locked). */
export async function holdCredit(
  tx: Sql,
  hold: { limitedAccountIds: string[]; userLimitAccountIds: string[]; userId: string | null; payingAccountId: string; units: number },
): Promise<void> {
  if (hold.limitedAccountIds.length) {
    await queryRows(tx, `UPDATE billing.account_limits SET held = held + $2, updated_at = now() WHERE account_id = ANY($1::uuid[])`, [hold.limitedAccountIds, hold.units]);
  }
  if (hold.userLimitAccountIds.length) {
    await queryRows(tx, `UPDATE billing.user_limits SET held = held + $3, updated_at = now() WHERE user_id = $2 AND account_id = ANY($1::uuid[])`, [
      hold.userLimitAccountIds,
      hold.userId,
      hold.units,
    ]);
  }
  await queryRows(tx, `UPDATE billing.balances SET held = held + $2, updated_at = now() WHERE account_id = $1`, [hold.payingAccountId, hold.units]);
}

/** Takes the reservation's units off every held counter, adding `captured` to the limits' spent (locks in the lock order first). */
export async function settleHolds(tx: Sql, reservation: ReservationRow, captured: number): Promise<void> {
  const reserved = Number(reservation.units);
  if (reservation.limited_account_ids.length) {
    await queryRows(tx,
      `SELECT account_id FROM billing.account_limits WHERE account_id = ANY($1::uuid[]) ORDER BY array_position($1::uuid[], account_id) FOR UPDATE`,
      [reservation.limited_account_ids],
    );
  }
  if (reservation.user_id && reservation.user_limit_account_ids.length) {
    await queryRows(tx,
      `SELECT account_id FROM billing.user_limits WHERE user_id = $2 AND account_id = ANY($1::uuid[])
        ORDER BY array_position($1::uuid[], account_id) FOR UPDATE`,
      [reservation.user_limit_account_ids, reservation.user_id],
    );
  }
  await queryRows(tx, `SELECT account_id FROM billing.balances WHERE account_id = $1 FOR UPDATE`, [reservation.paying_account_id]);
  if (reservation.limited_account_ids.length) {
    await queryRows(tx,
      `UPDATE billing.account_limits SET held = GREATEST(held - $2, 0), spent = spent + $3, updated_at = now() WHERE account_id = ANY($1::uuid[])`,
      [reservation.limited_account_ids, reserved, captured],
    );
  }
  if (reservation.user_id && reservation.user_limit_account_ids.length) {
    await queryRows(tx,
      `UPDATE billing.user_limits SET held = GREATEST(held - $3, 0), spent = spent + $4, updated_at = now()
        WHERE user_id = $2 AND account_id = ANY($1::uuid[])`,
      [reservation.user_limit_account_ids, reservation.user_id, reserved, captured],
    );
  }
  await queryRows(tx, `UPDATE billing.balances SET held = held - $2, updated_at = now() WHERE account_id = $1`, [reservation.paying_account_id, reserved]);
}

/** First day (YYYY-MM-DD) of the current calendar month in `timezone`. */
export async function monthStartIn(db: Sql, timezone: string): Promise<string> {
  const [row] = await queryRows<{ period: string }>(db, `SELECT to_char(date_trunc('month', now() AT TIME ZONE $1), 'YYYY-MM-DD') AS period`, [timezone]);
  return row.period;
}

/**
 * Renews a locked user-limit row for `periodStart`. The renewal row's primary key makes a period
 * renew once even if several processes race; the caller holds the row lock, so they queue.
 */
export async function renewUserLimit(tx: Sql, row: { account_id: string; user_id: string; spent: string }, periodStart: string): Promise<boolean> {
  const inserted = await queryRows(tx,
    `INSERT INTO billing.user_limit_renewals (account_id, user_id, period_start, spent_before) VALUES ($1, $2, $3, $4)
     ON CONFLICT DO NOTHING RETURNING period_start`,
    [row.account_id, row.user_id, periodStart, row.spent],
  );
  await queryRows(tx,
    `UPDATE billing.user_limits
        SET spent = CASE WHEN $4 THEN 0 ELSE spent END,
            credit_limit = CASE WHEN $4 AND renewal_amount IS NOT NULL THEN GREATEST(renewal_amount, held) ELSE credit_limit END,
            period_start = $3, updated_at = now()
      WHERE account_id = $1 AND user_id = $2`,
    [row.account_id, row.user_id, periodStart, inserted.length > 0],
  );
  return inserted.length > 0;
}

/** Every monthly-renewing user limit, by account then user. */
export function monthlyUserLimits(db: Sql): Promise<{ account_id: string; user_id: string }[]> {
  return queryRows<{ account_id: string; user_id: string }>(db, `SELECT account_id, user_id FROM billing.user_limits WHERE renewal_amount IS NOT NULL ORDER BY account_id, user_id`);
}

/** The user limit, locked, when it renews monthly and its period started before `periodStart`. */
export function lockUserLimitDueFor(tx: Sql, accountId: string, userId: string, periodStart: string): Promise<{ account_id: string; user_id: string; spent: string } | null> {
  return queryOne<{ account_id: string; user_id: string; spent: string }>(tx,
    `SELECT account_id, user_id, spent FROM billing.user_limits
      WHERE account_id = $1 AND user_id = $2 AND renewal_amount IS NOT NULL AND period_start < $3 FOR UPDATE`,
    [accountId, userId, periodStart],
  );
}

/** A reservation request once validated: what is held, for whom, how long, on which expected chain. */
export interface SpendingRequest {
  accountId: string;
  userId: string | null;
  units: number;
  idempotencyKey: string;
  reference: string;
  holdSeconds: number;
  /** the path the caller decided on (null: whatever the chain is under the lock) */
  expectedPath: string[] | null;
}

/**
 * The send path's reservation in ONE statement (issue 19), outside a transaction: it decides and
 * writes everything or nothing, so a send holds its tree's hot rows for this statement only.
 * - the account's chain under the tree's move lock (shared/authz lockedChainSql: a function whose
 *   read follows the lock); the rows below are spent on only when it is the path the caller decided
 *   on and every account on it is active;
 * - each kind of hot row is locked in the lock order (root first) by a `FOR UPDATE` CTE, the next
 *   kind only once the previous kind is locked (a one-time filter reads the previous CTE to the end):
 *   sub-account limits, user limits, the paying balance. A locking read answers each row as its
 *   last committed version, so the decision below is made on what the lock holds;
 * - the reservation is inserted only when every limit and the balance cover the units and no
 *   monthly user limit may be due for renewal (`renewalCutoff`: the caller then takes the renewing
 *   path), unless its idempotency key is taken (ON CONFLICT: a concurrent call with the key waits
 *   for it there), and only an inserted reservation adds its hold to the rows it names; the tables'
 *   CHECKs (`spent + held <= credit_limit`, `held <= units`) stay the last guard. The holds write the
 *   locked rows' values (`locked.held + n`, and their spent, limit and units unchanged), not the
 *   UPDATE's own row: an UPDATE starts from the row as the statement's snapshot saw it, and when a
 *   transaction committed a change to it while this statement waited for its lock (a capture, a
 *   release, a monthly renewal), PostgreSQL checks the CHECKs on that old version plus the hold
 *   before it finds the newer one and re-applies the SET to it (EvalPlanQual). The old version plus
 *   the hold can break a CHECK the newer one keeps (a renewal took spent from 60 to 0: the old row
 *   plus 3 is over a limit of 60), refusing a hold the statement decided was covered. The locked
 *   values are the newest version's (this statement holds its lock), so both checks see them;
 * - it answers the chain's rows and the hot rows as they were before the hold, for the caller's
 *   refusal (the binding limit), and the reservation when one was inserted.
 */
export async function reserveOnChain(
  db: Sql,
  request: SpendingRequest,
  renewalCutoff: string,
): Promise<{ chainRows: ChainRow[]; limits: LimitRow[]; userLimits: UserLimitRow[]; payer: { account_id: string; units: string; held: string } | null; created: ReservationRow | null }> {
  type Numeric = number | string;
  const [row] = await queryRows<{
    chain: ChainRow[];
    limits: { account_id: string; credit_limit: Numeric; spent: Numeric; held: Numeric }[];
    user_limits: { account_id: string; credit_limit: Numeric | null; renewal_amount: Numeric | null; spent: Numeric; held: Numeric; period_start: string }[];
    payer: { account_id: string; units: Numeric; held: Numeric } | null;
    created: { id: string; paying_account_id: string; limited_account_ids: string[]; user_limit_account_ids: string[]; expires_at: string } | null;
  }>(db,
    prepared(`WITH chain AS (
       ${lockedChainSql('$1')}
     ), spending AS (
       SELECT string_to_array(c.path, ',')::uuid[] AS path FROM chain c
        WHERE c.path IS NOT NULL AND ($7::uuid[] IS NULL OR string_to_array(c.path, ',')::uuid[] = $7::uuid[])
          AND NOT EXISTS (SELECT 1 FROM chain inactive WHERE inactive.path IS NULL)
     ), account_locked AS (
       SELECT l.account_id, l.credit_limit, l.spent, l.held FROM billing.account_limits l, spending
        WHERE l.account_id = ANY(spending.path) ORDER BY array_position(spending.path, l.account_id) FOR UPDATE OF l
     ), user_locked AS (
       SELECT u.account_id, u.credit_limit, u.renewal_amount, u.spent, u.held, to_char(u.period_start, 'YYYY-MM-DD') AS period_start
         FROM billing.user_limits u, spending
        WHERE u.user_id = $3::uuid AND u.account_id = ANY(spending.path) AND (SELECT count(*) FROM account_locked) >= 0
        ORDER BY array_position(spending.path, u.account_id) FOR UPDATE OF u
     ), payer AS (
       SELECT b.account_id, b.units, b.held FROM billing.balances b, spending
        WHERE b.account_id = ANY(spending.path) AND (SELECT count(*) FROM user_locked) >= 0
        ORDER BY array_position(spending.path, b.account_id) DESC LIMIT 1 FOR UPDATE OF b
     ), covered AS (
       SELECT payer.account_id FROM payer
        WHERE payer.held + $2 <= payer.units
          AND NOT EXISTS (SELECT 1 FROM account_locked l WHERE l.spent + l.held + $2 > l.credit_limit)
          AND NOT EXISTS (SELECT 1 FROM user_locked u WHERE u.credit_limit IS NOT NULL AND u.spent + u.held + $2 > u.credit_limit)
          AND NOT EXISTS (SELECT 1 FROM user_locked u WHERE u.renewal_amount IS NOT NULL AND u.period_start < $8)
     ), created AS (
       INSERT INTO billing.reservations
         (idempotency_key, account_id, user_id, paying_account_id, limited_account_ids, user_limit_account_ids, units, reference, expires_at, root_account_id)
       SELECT $4, $1, $3::uuid, covered.account_id,
              (SELECT coalesce(array_agg(l.account_id ORDER BY array_position(spending.path, l.account_id)), '{}') FROM account_locked l, spending),
              (SELECT coalesce(array_agg(u.account_id ORDER BY array_position(spending.path, u.account_id)), '{}') FROM user_locked u, spending),
              $2, $5, now() + make_interval(secs => $6), (SELECT path[1] FROM spending)
         FROM covered
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING id, paying_account_id, limited_account_ids, user_limit_account_ids, expires_at
     ), account_held AS (
       UPDATE billing.account_limits l SET held = locked.held + $2, spent = locked.spent, credit_limit = locked.credit_limit, updated_at = now()
         FROM created, account_locked locked WHERE l.account_id = ANY(created.limited_account_ids) AND locked.account_id = l.account_id
     ), user_held AS (
       UPDATE billing.user_limits u SET held = locked.held + $2, spent = locked.spent, credit_limit = locked.credit_limit, updated_at = now()
         FROM created, user_locked locked
        WHERE u.user_id = $3::uuid AND u.account_id = ANY(created.user_limit_account_ids) AND locked.account_id = u.account_id
     ), balance_held AS (
       UPDATE billing.balances b SET held = locked.held + $2, units = locked.units, updated_at = now()
         FROM created, payer locked WHERE b.account_id = created.paying_account_id AND locked.account_id = b.account_id
     )
     SELECT (SELECT coalesce(json_agg(chain), '[]') FROM chain) AS chain,
            (SELECT coalesce(json_agg(account_locked), '[]') FROM account_locked) AS limits,
            (SELECT coalesce(json_agg(user_locked), '[]') FROM user_locked) AS user_limits,
            (SELECT row_to_json(payer) FROM payer) AS payer,
            (SELECT row_to_json(created) FROM created) AS created`),
    [request.accountId, request.units, request.userId, request.idempotencyKey, request.reference, request.holdSeconds, request.expectedPath, renewalCutoff],
  );
  const text = (value: Numeric | null) => (value === null ? null : String(value));
  const chainRows = row.chain.map((r) => ({ ...r, id: r.id.toLowerCase() }));
  const path = chainRows.find((r) => r.path !== null)?.path?.split(',') ?? [];
  const order = (id: string) => path.indexOf(id);
  const limits: LimitRow[] = row.limits
    .sort((a, b) => order(a.account_id) - order(b.account_id))
    .map((r) => ({ account_id: r.account_id, credit_limit: text(r.credit_limit)!, spent: text(r.spent)!, held: text(r.held)! }));
  const userLimits: UserLimitRow[] = row.user_limits
    .sort((a, b) => order(a.account_id) - order(b.account_id))
    .map((r) => ({ account_id: r.account_id, user_id: request.userId!, credit_limit: text(r.credit_limit), renewal_amount: text(r.renewal_amount), spent: text(r.spent)!, held: text(r.held)!, period_start: r.period_start }));
  const payer = row.payer ? { account_id: row.payer.account_id, units: text(row.payer.units)!, held: text(row.payer.held)! } : null;
  const created: ReservationRow | null = row.created
    ? {
        id: row.created.id,
        idempotency_key: request.idempotencyKey,
        account_id: request.accountId,
        user_id: request.userId,
        paying_account_id: row.created.paying_account_id,
        limited_account_ids: row.created.limited_account_ids,
        user_limit_account_ids: row.created.user_limit_account_ids,
        units: String(request.units),
        captured_units: '0',
        reference: request.reference,
        status: 'HELD',
        expires_at: new Date(row.created.expires_at),
      }
    : null;
  return { chainRows, limits, userLimits, payer, created };
}

/**
 * The send path's capture in ONE statement (issue 19): the reservation marked CAPTURED when it is
 * held, unexpired and covers `units` (all when null), then, in the lock order and each after the
 * previous one is done (one-time filters, as in reserveOnChain), its sub-account limits and user
 * limits turn the hold into spending, its paying balance drops the hold and is debited, the USAGE
 * movement's two ledger rows are written and, when the debit takes the balance below its
 * low-balance threshold, billing.low_balance is published (shared/events' outbox row, as
 * publishEvent writes it, the paying account's path read here). Null when the reservation is in
 * any other state (nothing is written; the caller answers as before).
 *
 * Everything the capture writes is in this statement, so it needs no transaction of its own (no
 * BEGIN and COMMIT): it commits whole or not at all. The reservation is captured only where its
 * paying balance exists (balances are never deleted), so a capture is never marked without its debit.
 */
export async function captureHeld(
  db: Sql,
  id: string,
  units: number | null,
): Promise<{ reservation: ReservationRow; unitsBefore: number; unitsAfter: number; lowBalanceThreshold: number | null; autoTopUpThreshold: number | null } | null> {
  const [row] = await queryRows<ReservationRow & { units_after: string; low_balance_threshold: string | null; auto_top_up_threshold: string | null }>(db,
    prepared(`WITH r AS (
       UPDATE billing.reservations SET status = 'CAPTURED', captured_units = coalesce($2, units), settled_at = now()
        WHERE id = $1 AND status = 'HELD' AND expires_at > now() AND coalesce($2, units) <= units
          AND EXISTS (SELECT 1 FROM billing.balances b WHERE b.account_id = billing.reservations.paying_account_id)
       RETURNING ${RESERVATION_COLUMNS}
     ), account_locked AS (
       SELECT l.account_id FROM billing.account_limits l, r
        WHERE l.account_id = ANY(r.limited_account_ids) ORDER BY array_position(r.limited_account_ids, l.account_id) FOR UPDATE OF l
     ), account_settled AS (
       UPDATE billing.account_limits l SET held = GREATEST(l.held - r.units, 0), spent = l.spent + r.captured_units, updated_at = now()
         FROM account_locked, r WHERE l.account_id = account_locked.account_id
       RETURNING l.account_id
     ), user_locked AS (
       SELECT u.account_id FROM billing.user_limits u, r
        WHERE u.user_id = r.user_id AND u.account_id = ANY(r.user_limit_account_ids) AND (SELECT count(*) FROM account_settled) >= 0
        ORDER BY array_position(r.user_limit_account_ids, u.account_id) FOR UPDATE OF u
     ), user_settled AS (
       UPDATE billing.user_limits u SET held = GREATEST(u.held - r.units, 0), spent = u.spent + r.captured_units, updated_at = now()
         FROM user_locked, r WHERE u.user_id = r.user_id AND u.account_id = user_locked.account_id
       RETURNING u.account_id
     ), debited AS (
       UPDATE billing.balances b SET held = b.held - r.units, units = b.units - r.captured_units, updated_at = now()
         FROM r WHERE b.account_id = r.paying_account_id AND (SELECT count(*) FROM user_settled) >= 0
       RETURNING b.units, b.low_balance_threshold, b.auto_top_up_threshold
     ), ledger AS (
       INSERT INTO billing.ledger_entries
         (movement_id, kind, book, paying_account_id, spending_account_id, user_id, reference, units, balance_after, idempotency_key, reason, root_account_id)
       SELECT $3::uuid, 'USAGE', line.book, r.paying_account_id, r.account_id, r.user_id, r.reference, line.units,
              CASE WHEN line.book = 'BALANCE' THEN debited.units END, 'capture:' || r.id, NULL, ${rootAccountIdOf('r.paying_account_id')}
         FROM r, debited, LATERAL (VALUES ('BALANCE', -r.captured_units), ('USAGE', r.captured_units)) AS line(book, units)
        WHERE r.captured_units > 0
     ), low_balance AS (
       INSERT INTO billing.outbox (id, type, account_id, account_path, data, occurred_at)
       SELECT gen_random_uuid(), 'billing.low_balance', r.paying_account_id, a.path,
              jsonb_build_object('balance', debited.units, 'threshold', debited.low_balance_threshold), clock_timestamp()
         FROM r, debited, hierarchy.accounts a
        WHERE a.id = r.paying_account_id AND debited.low_balance_threshold IS NOT NULL
          AND debited.units + r.captured_units >= debited.low_balance_threshold AND debited.units < debited.low_balance_threshold
     )
     SELECT r.*, debited.units AS units_after, debited.low_balance_threshold, debited.auto_top_up_threshold FROM r LEFT JOIN debited ON true`),
    [id, units, crypto.randomUUID()],
  );
  if (!row) return null;
  // Cannot happen (the statement captures only where the paying balance exists, and balances are never deleted).
  if (row.units_after === null) throw new Error(`No balance for account ${row.paying_account_id}`);
  const { units_after, low_balance_threshold, auto_top_up_threshold, ...reservation } = row;
  const unitsAfter = Number(units_after);
  return {
    reservation,
    unitsBefore: unitsAfter + Number(reservation.captured_units),
    unitsAfter,
    lowBalanceThreshold: low_balance_threshold === null ? null : Number(low_balance_threshold),
    autoTopUpThreshold: auto_top_up_threshold === null ? null : Number(auto_top_up_threshold),
  };
}

/** One capture of captureHeldMany: a reservation, the units to capture (null: all) and the ledger movement's id. */
export interface HeldCapture {
  id: string;
  units: number | null;
  movementId: string;
}

export type CapturedRow = ReservationRow & { unitsAfter: number; autoTopUpThreshold: number | null };

/**
 * The worker's captures of a round in ONE statement (issue 19): what captureHeld does for one
 * reservation, for each of `captures` that is held, unexpired and covers its units, with every hot row
 * moved once by the sum of its captures instead of once per capture. Locks in the lock order of
 * every writer (CreditService): the reservations (by id), then the sub-account limits, the user limits
 * and the paying balances, each kind after the previous one is done, rows of a kind root-first (by
 * depth, then id: the order of any one chain, and a total order across chains and trees). The ledger
 * rows of each capture carry the balance after it, in the order of `captures`; a low-balance event is
 * published by the capture that takes its balance below the threshold. Answers the reservations it
 * captured (a capture not answered was in another state, or repeated an id: nothing of it was written).
 */
export async function captureHeldMany(db: Sql, captures: HeldCapture[]): Promise<CapturedRow[]> {
  const rows = await queryRows<ReservationRow & { units_after: string; auto_top_up_threshold: string | null }>(db,
    prepared(`WITH asked AS (
       SELECT * FROM unnest($1::uuid[], $2::bigint[], $3::uuid[]) WITH ORDINALITY AS i(id, units, movement_id, ord)
     ), reservation_locked AS (
       SELECT res.id FROM billing.reservations res, asked WHERE res.id = asked.id ORDER BY res.id FOR UPDATE OF res
     ), r AS (
       UPDATE billing.reservations res SET status = 'CAPTURED', captured_units = coalesce(asked.units, res.units), settled_at = now()
         FROM asked, reservation_locked locked
        WHERE res.id = asked.id AND locked.id = res.id AND res.status = 'HELD' AND res.expires_at > now() AND coalesce(asked.units, res.units) <= res.units
          AND EXISTS (SELECT 1 FROM billing.balances b WHERE b.account_id = res.paying_account_id)
       RETURNING ${RESERVATION_COLUMNS.replace(/(\w+)/g, 'res.$1')}, asked.movement_id, asked.ord
     ), account_sums AS (
       SELECT limited.account_id, sum(r.units) AS held, sum(r.captured_units) AS captured
         FROM r, unnest(r.limited_account_ids) AS limited(account_id) GROUP BY limited.account_id
     ), account_locked AS (
       SELECT l.account_id FROM billing.account_limits l JOIN account_sums USING (account_id) LEFT JOIN hierarchy.accounts a ON a.id = l.account_id
        ORDER BY a.depth, l.account_id FOR UPDATE OF l
     ), account_settled AS (
       UPDATE billing.account_limits l SET held = GREATEST(l.held - s.held, 0), spent = l.spent + s.captured, updated_at = now()
         FROM account_locked JOIN account_sums s USING (account_id) WHERE l.account_id = account_locked.account_id
       RETURNING l.account_id
     ), user_sums AS (
       SELECT limited.account_id, r.user_id, sum(r.units) AS held, sum(r.captured_units) AS captured
         FROM r, unnest(r.user_limit_account_ids) AS limited(account_id) WHERE r.user_id IS NOT NULL GROUP BY limited.account_id, r.user_id
     ), user_locked AS (
       SELECT u.account_id, u.user_id FROM billing.user_limits u JOIN user_sums USING (account_id, user_id) LEFT JOIN hierarchy.accounts a ON a.id = u.account_id
        WHERE (SELECT count(*) FROM account_settled) >= 0
        ORDER BY a.depth, u.account_id, u.user_id FOR UPDATE OF u
     ), user_settled AS (
       UPDATE billing.user_limits u SET held = GREATEST(u.held - s.held, 0), spent = u.spent + s.captured, updated_at = now()
         FROM user_locked JOIN user_sums s USING (account_id, user_id) WHERE u.account_id = user_locked.account_id AND u.user_id = user_locked.user_id
       RETURNING u.account_id
     ), balance_sums AS (
       SELECT r.paying_account_id AS account_id, sum(r.units) AS held, sum(r.captured_units) AS captured FROM r GROUP BY r.paying_account_id
     ), balance_locked AS (
       SELECT b.account_id FROM billing.balances b JOIN balance_sums USING (account_id) LEFT JOIN hierarchy.accounts a ON a.id = b.account_id
        WHERE (SELECT count(*) FROM user_settled) >= 0
        ORDER BY a.depth, b.account_id FOR UPDATE OF b
     ), debited AS (
       UPDATE billing.balances b SET held = b.held - s.held, units = b.units - s.captured, updated_at = now()
         FROM balance_locked JOIN balance_sums s USING (account_id) WHERE b.account_id = balance_locked.account_id
       RETURNING b.account_id, b.units + s.captured AS units_before, b.low_balance_threshold, b.auto_top_up_threshold
     ), per_capture AS (
       SELECT r.*, d.units_before - sum(r.captured_units) OVER (PARTITION BY r.paying_account_id ORDER BY r.ord) AS units_after,
              d.low_balance_threshold, d.auto_top_up_threshold
         FROM r JOIN debited d ON d.account_id = r.paying_account_id
     ), ledger AS (
       INSERT INTO billing.ledger_entries
         (movement_id, kind, book, paying_account_id, spending_account_id, user_id, reference, units, balance_after, idempotency_key, reason, root_account_id)
       SELECT per_capture.movement_id, 'USAGE', line.book, per_capture.paying_account_id, per_capture.account_id, per_capture.user_id, per_capture.reference, line.units,
              CASE WHEN line.book = 'BALANCE' THEN per_capture.units_after END, 'capture:' || per_capture.id, NULL, ${rootAccountIdOf('per_capture.paying_account_id')}
         FROM per_capture, LATERAL (VALUES (1, 'BALANCE', -per_capture.captured_units), (2, 'USAGE', per_capture.captured_units)) AS line(n, book, units)
        WHERE per_capture.captured_units > 0
        ORDER BY per_capture.ord, line.n
     ), low_balance AS (
       INSERT INTO billing.outbox (id, type, account_id, account_path, data, occurred_at)
       SELECT gen_random_uuid(), 'billing.low_balance', per_capture.paying_account_id, a.path,
              jsonb_build_object('balance', per_capture.units_after, 'threshold', per_capture.low_balance_threshold), clock_timestamp()
         FROM per_capture JOIN hierarchy.accounts a ON a.id = per_capture.paying_account_id
        WHERE per_capture.low_balance_threshold IS NOT NULL
          AND per_capture.units_after + per_capture.captured_units >= per_capture.low_balance_threshold AND per_capture.units_after < per_capture.low_balance_threshold
     )
     SELECT ${RESERVATION_COLUMNS}, units_after, auto_top_up_threshold FROM per_capture ORDER BY ord`),
    [captures.map((c) => c.id), captures.map((c) => c.units), captures.map((c) => c.movementId)],
  );
  return rows.map(({ units_after, auto_top_up_threshold, ...reservation }) => ({
    ...reservation,
    unitsAfter: Number(units_after),
    autoTopUpThreshold: auto_top_up_threshold === null ? null : Number(auto_top_up_threshold),
  }));
}

/**
 * A capture in three statements (locks in the lock order, each taken by the statement that moves
 * the row): the limits' held become spent, the paying balance's held goes and its units fall by what
 * was captured, with the ledger rows of that debit. Answers the balance before and after, with its
 * thresholds.
 */
export async function settleCapture(
  tx: Sql,
  reservation: ReservationRow,
  captured: number,
): Promise<{ unitsBefore: number; unitsAfter: number; lowBalanceThreshold: number | null; autoTopUpThreshold: number | null }> {
  const reserved = Number(reservation.units);
  if (reservation.limited_account_ids.length) {
    await queryRows(tx,
      `WITH locked AS (SELECT account_id FROM billing.account_limits
                        WHERE account_id = ANY($1::uuid[]) ORDER BY array_position($1::uuid[], account_id) FOR UPDATE)
       UPDATE billing.account_limits l SET held = GREATEST(l.held - $2, 0), spent = l.spent + $3, updated_at = now()
         FROM locked WHERE l.account_id = locked.account_id`,
      [reservation.limited_account_ids, reserved, captured],
    );
  }
  if (reservation.user_id && reservation.user_limit_account_ids.length) {
    await queryRows(tx,
      `WITH locked AS (SELECT account_id FROM billing.user_limits
                        WHERE user_id = $2 AND account_id = ANY($1::uuid[]) ORDER BY array_position($1::uuid[], account_id) FOR UPDATE)
       UPDATE billing.user_limits u SET held = GREATEST(u.held - $3, 0), spent = u.spent + $4, updated_at = now()
         FROM locked WHERE u.user_id = $2 AND u.account_id = locked.account_id`,
      [reservation.user_limit_account_ids, reservation.user_id, reserved, captured],
    );
  }
  // The balance and, when something is captured, the USAGE movement's two ledger rows (B2) in one statement.
  const [balance] = await queryRows<{ units: string; low_balance_threshold: string | null; auto_top_up_threshold: string | null }>(tx,
    `WITH b AS (
       UPDATE billing.balances SET held = held - $2, units = units - $3, updated_at = now() WHERE account_id = $1
       RETURNING units, low_balance_threshold, auto_top_up_threshold
     ), ledger AS (
       INSERT INTO billing.ledger_entries
         (movement_id, kind, book, paying_account_id, spending_account_id, user_id, reference, units, balance_after, idempotency_key, reason)
       SELECT $4::uuid, 'USAGE', line.book, $1, $5::uuid, $6::uuid, $7, line.units, CASE WHEN line.book = 'BALANCE' THEN b.units END, $8, NULL
         FROM b, (VALUES ('BALANCE', -$3::bigint), ('USAGE', $3::bigint)) AS line(book, units)
        WHERE $3::bigint > 0
     )
     SELECT units, low_balance_threshold, auto_top_up_threshold FROM b`,
    [reservation.paying_account_id, reserved, captured, crypto.randomUUID(), reservation.account_id, reservation.user_id, reservation.reference, `capture:${reservation.id}`],
  );
  if (!balance) throw new Error(`No balance for account ${reservation.paying_account_id}`);
  const unitsAfter = Number(balance.units);
  return {
    unitsBefore: unitsAfter + captured,
    unitsAfter,
    lowBalanceThreshold: balance.low_balance_threshold === null ? null : Number(balance.low_balance_threshold),
    autoTopUpThreshold: balance.auto_top_up_threshold === null ? null : Number(balance.auto_top_up_threshold),
  };
}

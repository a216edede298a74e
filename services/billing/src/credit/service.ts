import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import { mutate } from '@platform/audit';
import { publishEvent } from '@platform/events';
import { assertAuthorityOver, chainOfLockedRows, loadEffectiveTimezone, lockChainForSpending, samePath, type AccessControl, type AccountChain } from '@platform/authz';
import { inTransaction, queryRows, type Sql } from '@platform/db';
import { AppError, assertId, checkAll, errors, isUuid } from '@platform/errors';
import type { CreditReservation } from '@platform/billing-client';
import type { ReserveCreditInput } from '../__generated__/resolvers-types';
import { auditScope } from '../activity';
import {
  captureHeld,
  captureHeldMany,
  holdCredit,
  insertReservation,
  lockAccountLimits,
  lockIdempotencyKey,
  lockNextExpiredReservation,
  lockPayingBalance,
  lockReservation,
  lockUserLimitDueFor,
  lockUserLimits,
  markCaptured,
  markReleased,
  monthlyUserLimits,
  monthStartIn,
  payingAccountOfReservation,
  renewUserLimit,
  reserveOnChain,
  reservationByKey,
  settleCapture,
  settleHolds,
  type HeldCapture,
  type LimitRow,
  type NewReservation,
  type ReservationRow,
  type SpendingRequest,
  type UserLimitRow,
} from './store';

export const MAX_UNITS = 1_000_000;
export const MAX_LIMIT = 1_000_000_000;
const DEFAULT_HOLD_SECONDS = 300;
const MAX_HOLD_SECONDS = 86_400;

export type ChainLookup = (accountId: string) => Promise<AccountChain | null>;

/** One capture's answer of captureMany: its reservation or its refusal; `autoTopUpAccountId` is the paying account when the capture left its balance below the automatic top-up's threshold. */
export type CaptureOutcome = { reservationId: string; autoTopUpAccountId: string | null } & ({ reservation: Reservation; error: null } | { reservation: null; error: AppError });

/** The contract's reservation as billing answers it: `expiresAt` a Date, which DateTime serializes to the contract's ISO text. */
export type Reservation = Omit<CreditReservation, 'expiresAt'> & { expiresAt: Date };

export function toReservation(row: ReservationRow): Reservation {
  return {
    id: row.id,
    accountId: row.account_id,
    userId: row.user_id,
    units: Number(row.units),
    capturedUnits: Number(row.captured_units),
    status: row.status,
    expiresAt: row.expires_at,
  };
}

export function assertLimit(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_LIMIT) {
    throw errors.badInput(`${field} must be an integer between 0 and ${MAX_LIMIT}`, field);
  }
  return value;
}

export function assertUnits(value: unknown, field = 'units', { allowZero = false } = {}): number {
  const min = allowZero ? 0 : 1;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > MAX_UNITS) {
    throw errors.badInput(`${field} must be an integer between ${min} and ${MAX_UNITS}`, field);
  }
  return value;
}

/** The chain the caller decided on: root first, ending with the account (at most six levels). */
function assertPath(value: unknown, accountId: string): string[] {
  if (!Array.isArray(value) || value.length < 1 || value.length > 6 || !value.every(isUuid) || value[value.length - 1].toLowerCase() !== accountId.toLowerCase()) {
    throw errors.badInput('accountPath must list the account\'s ancestors root first, ending with the account', 'accountPath');
  }
  return value;
}

export function assertIdempotencyKey(value: unknown): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > 200 || /[\u0000-\u001f\u007f]/.test(value)) {
    throw errors.badInput('idempotencyKey must be 1 to 200 printable characters', 'idempotencyKey');
  }
  return value;
}

/** Refuses spending on a closed or suspended chain (SPEC H6, M2). */
export function assertChainActive(chain: AccountChain): void {
  if (chain.chainStatus === 'CLOSED') throw new AppError('ACCOUNT_CLOSED', 'The account is closed');
  if (chain.chainStatus === 'SUSPENDED') throw new AppError('ACCOUNT_SUSPENDED', 'The account or one of its ancestors is suspended');
}

const insufficient = (limit: 'USER_LIMIT' | 'ACCOUNT_LIMIT' | 'BALANCE', accountId: string | null, remaining: number) =>
  new AppError('INSUFFICIENT_CREDIT', `Not enough credit: the ${limit.toLowerCase().replace('_', ' ')} leaves ${remaining} units`, {
    limit,
    limitAccountId: accountId,
    remaining,
  });

/** RESERVATION_RELEASED / RESERVATION_EXPIRED for a reservation that no longer holds credit. */
function assertStillHeldOrCaptured(reservation: Pick<ReservationRow, 'status' | 'expires_at'>): void {
  if (reservation.status === 'RELEASED') throw new AppError('RESERVATION_RELEASED', 'The reservation was released; reserve again with a new idempotency key');
  if (reservation.status === 'EXPIRED') throw new AppError('RESERVATION_EXPIRED', 'The reservation expired and was released');
  if (reservation.status === 'HELD' && new Date(reservation.expires_at).getTime() <= Date.now()) {
    throw new AppError('RESERVATION_EXPIRED', 'The reservation expired; the sweeper releases it');
  }
}

/** First day (YYYY-MM-DD) of the current calendar month in the timezone of the account at the end of `path`. */
export async function currentPeriodStart(db: Sql, path: string[]): Promise<string> {
  return monthStartIn(db, await loadEffectiveTimezone(db, path));
}

/** A reservation request once validated: what is held, for whom, how long, on which expected chain. */
type ReservationRequest = SpendingRequest;

/** The input of the reserveCredit internal call (JSON, not typed by GraphQL): an object, whose fields validReservationRequest checks as for the mutation. */
export function reserveInput(value: unknown): ReserveCreditInput {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw errors.badInput('input must be an object', 'input');
  return value as ReserveCreditInput;
}

function validReservationRequest(input: ReserveCreditInput): ReservationRequest {
  const accountId = assertId(input.accountId, 'accountId');
  const userId = input.userId === null || input.userId === undefined ? null : assertId(input.userId, 'userId');
  const units = assertUnits(input.units);
  const idempotencyKey = assertIdempotencyKey(input.idempotencyKey);
  const reference = typeof input.reference === 'string' ? input.reference.trim() : '';
  if (reference.length < 1 || reference.length > 200) throw errors.badInput('reference must be 1 to 200 characters', 'reference');
  const holdSeconds = input.holdSeconds ?? DEFAULT_HOLD_SECONDS;
  if (!Number.isInteger(holdSeconds) || holdSeconds < 1 || holdSeconds > MAX_HOLD_SECONDS) {
    throw errors.badInput(`holdSeconds must be an integer between 1 and ${MAX_HOLD_SECONDS}`, 'holdSeconds');
  }
  const expectedPath = input.accountPath === null || input.accountPath === undefined ? null : assertPath(input.accountPath, accountId);
  return { accountId, userId, units, idempotencyKey, reference, holdSeconds, expectedPath };
}

/**
 * The reservation an earlier call with this key made, for a replay with the same parameters. A
 * replay gets it only while it still stands for credit: a released or expired hold is gone, and
 * handing it back would let the caller spend without a hold.
 */
function replayed(existing: ReservationRow, request: ReservationRequest): Reservation {
  const same =
    existing.account_id === request.accountId && existing.user_id === request.userId && Number(existing.units) === request.units && existing.reference === request.reference;
  if (!same) throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was already used for another reservation');
  assertStillHeldOrCaptured(existing);
  return toReservation(existing);
}

/** The account's chain under the tree's move lock: still the one the caller decided on, and active. */
async function lockChainAsExpected(tx: Sql, request: ReservationRequest): Promise<AccountChain> {
  return assertChainAsExpected(await lockChainForSpending(tx, request.accountId), request);
}

/** NOT_FOUND, CHAIN_CHANGED (not the path the caller decided on), ACCOUNT_SUSPENDED or ACCOUNT_CLOSED, else the chain. */
function assertChainAsExpected(chain: AccountChain | null, request: ReservationRequest): AccountChain {
  if (!chain) throw errors.notFound('Account');
  if (request.expectedPath && !samePath(request.expectedPath, chain.path)) {
    throw new AppError('CHAIN_CHANGED', 'The account moved since the caller read its chain', { retryable: true });
  }
  assertChainActive(chain);
  return chain;
}

/** Starts a new month for the monthly user limits whose period has ended (they are locked). */
async function renewEndedPeriods(tx: Sql, path: string[], userLimits: UserLimitRow[]): Promise<void> {
  for (const row of userLimits) {
    if (row.renewal_amount === null) continue;
    const period = await currentPeriodStart(tx, path.slice(0, path.indexOf(row.account_id) + 1));
    if (row.period_start < period && (await renewUserLimit(tx, row, period))) {
      row.spent = '0';
      row.credit_limit = String(Math.max(Number(row.renewal_amount), Number(row.held)));
    }
  }
}

/** INSUFFICIENT_CREDIT naming the binding limit, checked from the account up: user limits, sub-account limits, then the paying balance. */
function assertCovered(units: number, userLimits: UserLimitRow[], limits: LimitRow[], payer: { account_id: string; units: string; held: string } | null): asserts payer {
  for (const row of [...userLimits].reverse()) {
    if (row.credit_limit === null) continue;
    const remaining = Number(row.credit_limit) - Number(row.spent) - Number(row.held);
    if (remaining < units) throw insufficient('USER_LIMIT', row.account_id, remaining);
  }
  for (const row of [...limits].reverse()) {
    const remaining = Number(row.credit_limit) - Number(row.spent) - Number(row.held);
    if (remaining < units) throw insufficient('ACCOUNT_LIMIT', row.account_id, remaining);
  }
  if (!payer) throw insufficient('BALANCE', null, 0);
  const available = Number(payer.units) - Number(payer.held);
  if (available < units) throw insufficient('BALANCE', payer.account_id, available);
}

/** A monthly user limit on the chain may need a new period before the reservation: the reservation takes the renewing path. */
class RenewalDue extends Error {}

/** The first day of the month of `time` in UTC, YYYY-MM-DD. */
const utcMonthStart = (time: number) => `${new Date(time).toISOString().slice(0, 7)}-01`;

/**
 * True when no timezone can have started a month after `periodStart` yet: the current month starts
 * on the same day everywhere except within 14 hours of a month's end, so the period of a row is
 * known current without reading its account's timezone.
 */
const periodSurelyCurrent = (periodStart: string) => periodStart >= utcMonthStart(Date.now() + 14 * 3_600_000);

function newReservation(request: ReservationRequest, limits: LimitRow[], userLimits: UserLimitRow[]): Omit<NewReservation, 'payingAccountId'> {
  return {
    idempotencyKey: request.idempotencyKey,
    accountId: request.accountId,
    userId: request.userId,
    limitedAccountIds: limits.map((l) => l.account_id),
    userLimitAccountIds: userLimits.map((l) => l.account_id),
    units: request.units,
    reference: request.reference,
    holdSeconds: request.holdSeconds,
  };
}

/**
 * The send path's reservation (issue 19): one statement outside a transaction (store.ts,
 * reserveOnChain) reads the chain under its move lock, locks every hot row, and inserts and holds
 * the reservation only when it is covered, or writes nothing. A reservation it inserted stands; when
 * it inserted none, the reason is told here from the rows it answered, in the order of a
 * transaction that checks one after the other: the chain (NOT_FOUND, CHAIN_CHANGED, suspended or
 * closed), a user limit that may be due for renewal (the renewing path), the binding limit
 * (assertCovered), else the idempotency key was taken: a concurrent call with the same key waited
 * for it in the insert, and reserve() answers the first call's reservation.
 */
async function reserveOnHotRows(db: Sql, request: ReservationRequest): Promise<Reservation> {
  const { chainRows, limits, userLimits, payer, created } = await reserveOnChain(db, request, utcMonthStart(Date.now() + 14 * 3_600_000));
  if (created) return toReservation(created);
  assertChainAsExpected(chainOfLockedRows(chainRows, request.accountId), request);
  if (userLimits.some((row) => row.renewal_amount !== null && !periodSurelyCurrent(row.period_start))) throw new RenewalDue();
  assertCovered(request.units, userLimits, limits, payer);
  throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was already used for another reservation');
}

/**
 * What the one-statement reservation may run into under contention, having written nothing: a CHECK
 * (the last guard: spent + held within a limit), a deadlock or a serialization failure (PostgreSQL's
 * 23514, 40P01, 40001, as TypeORM reports a failed query).
 */
const refusedByDatabase = (error: unknown): boolean => ['23514', '40P01', '40001'].includes((error as { driverError?: { code?: string } } | null)?.driverError?.code ?? '');

/**
 * A hold the tables' CHECKs refused (spent + held over a limit, or held over the balance) is a refusal
 * of that limit: INSUFFICIENT_CREDIT naming its kind (which account's, and what remains, unknown here).
 */
function limitRefusedByCheck(error: unknown): AppError | null {
  const cause = (error as { driverError?: { code?: string; table?: string } } | null)?.driverError;
  if (cause?.code !== '23514') return null;
  const limit = ({ user_limits: 'USER_LIMIT', account_limits: 'ACCOUNT_LIMIT', balances: 'BALANCE' } as const)[cause.table as 'user_limits'];
  if (!limit) return null;
  return new AppError('INSUFFICIENT_CREDIT', `Not enough credit: the ${limit.toLowerCase().replace('_', ' ')} does not cover this reservation`, { limit, limitAccountId: null });
}

/**
 * SPEC B3: reserve / capture / release credit atomically over every limit on the chain.
 * A reservation reads its chain under the tree's move lock (shared; a move takes it exclusively)
 * and, given the path its caller decided on, refuses a stale one with CHAIN_CHANGED: a send is
 * decided on one version of the chain in messaging and billing alike (SPEC H7).
 * Lock order, everywhere: sub-account limits root-first, user limits root-first, then the paying
 * balance (a reservation row, when one is involved, is locked before all of them).
 * These are SERVICE calls of the send path, not user changes: they write no activity-log entry
 * (SPEC I9); the append-only ledger and the reservations table record them.
 */
export class CreditService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly chains: ChainLookup,
  ) {}

  async reserve(input: ReserveCreditInput): Promise<Reservation> {
    const request = validReservationRequest(input);
    try {
      return await reserveOnHotRows(this.dataSource, request);
    } catch (error) {
      if (error instanceof RenewalDue || refusedByDatabase(error)) {
        return inTransaction(this.dataSource, (tx) => this.reserveLocking(tx, request)).catch((again: unknown) => {
          throw limitRefusedByCheck(again) ?? again;
        });
      }
      // A replay (same key): the first call's reservation stands, whatever this attempt ran into.
      const existing = await reservationByKey(this.dataSource, request.idempotencyKey);
      if (existing) return replayed(existing, request);
      throw error;
    }
  }

  /**
   * The reservation in a transaction, each hot row locked in turn: when a monthly user limit on the
   * chain may have to start a new period first (a few times a month), and when the database refused
   * the one-statement path (refusedByDatabase: a deadlock, a serialization failure, or a CHECK, the
   * last guard, which that statement no longer trips on a row changed while it waited: see
   * reserveOnChain). That statement wrote nothing then; this path decides again and answers a
   * refusal with its code.
   */
  private async reserveLocking(tx: Sql, request: ReservationRequest): Promise<Reservation> {
    // Replays of one key queue here, so exactly one of them does the work.
    await lockIdempotencyKey(tx, `reserve:${request.idempotencyKey}`);
    const existing = await reservationByKey(tx, request.idempotencyKey);
    if (existing) return replayed(existing, request);
    const { path } = await lockChainAsExpected(tx, request);
    const limits = await lockAccountLimits(tx, path);
    const userLimits = request.userId ? await lockUserLimits(tx, path, request.userId) : [];
    const payer = await lockPayingBalance(tx, path);
    await renewEndedPeriods(tx, path, userLimits);
    assertCovered(request.units, userLimits, limits, payer);
    const hold: NewReservation = { ...newReservation(request, limits, userLimits), payingAccountId: payer.account_id };
    await holdCredit(tx, hold);
    return toReservation(await insertReservation(tx, hold));
  }

  /** Turns `units` (default: all) of a held reservation into ledger debits and releases the rest. */
  async capture(reservationId: string, units?: number | null): Promise<Reservation & { crossedAutoTopUpThreshold: boolean }> {
    const id = assertId(reservationId, 'reservationId');
    if (units !== undefined && units !== null) assertUnits(units, 'units', { allowZero: true });
    // The send path's case: one statement, outside a transaction (it writes everything it must,
    // the low-balance event included, or nothing). Any other state is answered below as it always was.
    const held = await captureHeld(this.dataSource, id, units ?? null);
    if (held) {
      const { autoTopUpThreshold, unitsAfter } = held;
      return { ...toReservation(held.reservation), crossedAutoTopUpThreshold: Number(held.reservation.captured_units) > 0 && autoTopUpThreshold !== null && unitsAfter < autoTopUpThreshold };
    }
    return inTransaction(this.dataSource, async (tx) => {
      const reservation = await this.lockReservation(tx, id);
      if (reservation.status === 'CAPTURED') return { ...toReservation(reservation), crossedAutoTopUpThreshold: false };
      assertStillHeldOrCaptured(reservation);
      const reserved = Number(reservation.units);
      const captured = units ?? reserved;
      if (captured > reserved) throw errors.badInput(`units must not exceed the ${reserved} reserved units`, 'units');
      // Held by this database's clock but not by the statement's (an expiry at this very moment): captured as before.
      const balance = await settleCapture(tx, reservation, captured);
      const crossedAutoTopUpThreshold = captured > 0 ? await afterCaptureDebit(tx, reservation, balance) : false;
      return { ...toReservation(await markCaptured(tx, reservation.id, captured)), crossedAutoTopUpThreshold };
    });
  }

  /**
   * Captures of many reservations (the delivery worker's round): those held are captured in one
   * statement (captureHeldMany, each hot row moved once), the others — another state, an id given
   * twice, units not valid, or the whole statement refused by the database (a deadlock, having written
   * nothing) — one after the other as capture() answers them. Each capture answers for itself.
   */
  async captureMany(captures: readonly { reservationId: string; units?: number | null }[]): Promise<CaptureOutcome[]> {
    const batched: HeldCapture[] = [];
    const keys = new Set<string>();
    for (const { reservationId, units } of captures) {
      const key = reservationId.toLowerCase();
      if (!isUuid(key) || keys.has(key) || !(units === undefined || units === null || (Number.isInteger(units) && units >= 0 && units <= MAX_UNITS))) continue;
      keys.add(key);
      batched.push({ id: key, units: units ?? null, movementId: crypto.randomUUID() });
    }
    const captured = new Map<string, Awaited<ReturnType<typeof captureHeldMany>>[number]>();
    if (batched.length) {
      try {
        for (const row of await captureHeldMany(this.dataSource, batched)) captured.set(row.id, row);
      } catch (error) {
        if (!refusedByDatabase(error)) throw error;
      }
    }
    const outcomes: CaptureOutcome[] = [];
    for (const { reservationId, units } of captures) {
      const row = captured.get(reservationId.toLowerCase());
      if (row) {
        captured.delete(row.id);
        const below = Number(row.captured_units) > 0 && row.autoTopUpThreshold !== null && row.unitsAfter < row.autoTopUpThreshold;
        outcomes.push({ reservationId, reservation: toReservation(row), error: null, autoTopUpAccountId: below ? row.paying_account_id : null });
        continue;
      }
      try {
        const { crossedAutoTopUpThreshold, ...reservation } = await this.capture(reservationId, units);
        outcomes.push({ reservationId, reservation, error: null, autoTopUpAccountId: crossedAutoTopUpThreshold ? await payingAccountOfReservation(this.dataSource, reservation.id) : null });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        outcomes.push({ reservationId, reservation: null, error, autoTopUpAccountId: null });
      }
    }
    return outcomes;
  }

  async release(reservationId: string): Promise<Reservation> {
    const id = assertId(reservationId, 'reservationId');
    return inTransaction(this.dataSource, async (tx) => {
      const reservation = await this.lockReservation(tx, id);
      if (reservation.status === 'RELEASED' || reservation.status === 'EXPIRED') return toReservation(reservation);
      if (reservation.status === 'CAPTURED') throw new AppError('INVALID_STATE', 'A captured reservation cannot be released');
      return this.releaseHeld(tx, reservation, 'RELEASED');
    });
  }

  /** The sweeper: releases held reservations past their expiry, one short transaction each. */
  async releaseExpired(maxCount = 1000): Promise<number> {
    let released = 0;
    while (released < maxCount) {
      const done = await inTransaction(this.dataSource, async (tx) => {
        const reservation = await lockNextExpiredReservation(tx);
        if (!reservation) return false;
        await this.releaseHeld(tx, reservation, 'EXPIRED');
        return true;
      });
      if (!done) break;
      released += 1;
    }
    return released;
  }

  /** Renews every monthly user limit whose period has ended in its account's timezone (SPEC I6). */
  async renewDueUserLimits(): Promise<number> {
    const candidates = await monthlyUserLimits(this.dataSource);
    const periodByAccount = new Map<string, string>();
    let renewed = 0;
    for (const candidate of candidates) {
      if (!periodByAccount.has(candidate.account_id)) {
        const chain = await this.chains(candidate.account_id);
        if (!chain) continue;
        periodByAccount.set(candidate.account_id, await currentPeriodStart(this.dataSource, chain.path));
      }
      const period = periodByAccount.get(candidate.account_id)!;
      const didRenew = await inTransaction(this.dataSource, async (tx) => {
        const row = await lockUserLimitDueFor(tx, candidate.account_id, candidate.user_id, period);
        return row ? renewUserLimit(tx, row, period) : false;
      });
      if (didRenew) renewed += 1;
    }
    return renewed;
  }

  private async lockReservation(tx: Sql, id: string): Promise<ReservationRow> {
    const reservation = await lockReservation(tx, id);
    if (!reservation) throw errors.notFound('Reservation');
    return reservation;
  }

  private async releaseHeld(tx: Sql, reservation: ReservationRow, status: 'RELEASED' | 'EXPIRED'): Promise<Reservation> {
    await settleHolds(tx, reservation, 0);
    return toReservation(await markReleased(tx, reservation.id, status));
  }
}

/**
 * After a capture's debit (settleCapture): publishes billing.low_balance when it took the paying
 * balance below its threshold. True when the balance ends below its automatic top-up threshold.
 */
async function afterCaptureDebit(
  tx: Sql,
  reservation: ReservationRow,
  balance: { unitsBefore: number; unitsAfter: number; lowBalanceThreshold: number | null; autoTopUpThreshold: number | null },
): Promise<boolean> {
  const { unitsBefore, unitsAfter, lowBalanceThreshold, autoTopUpThreshold } = balance;
  if (lowBalanceThreshold !== null && unitsBefore >= lowBalanceThreshold && unitsAfter < lowBalanceThreshold) {
    // SPEC B4/M10: delivered to webhook endpoints subscribed to billing.low_balance (shared/events outbox).
    await publishEvent(tx, 'billing', {
      type: 'billing.low_balance',
      accountId: reservation.paying_account_id,
      data: { balance: unitsAfter, threshold: lowBalanceThreshold },
    });
  }
  return autoTopUpThreshold !== null && unitsAfter < autoTopUpThreshold;
}

/** Sub-account and per-user credit limits (SPEC B3, I6); each change checks `billing` and is audited. */
export class CreditLimitService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessControl,
  ) {}

  /** A sub-account's limit is decided above it: `billing` on its parent. */
  async setCreditLimit(accountId: string, limit: number | null | undefined): Promise<void> {
    const chain = await this.access.require(assertId(accountId, 'accountId'), 'billing');
    if (chain.depth === 0) throw errors.badInput('A parent account is capped by its balance or credit ceiling, not by a limit', 'accountId');
    await this.access.require(chain.parentId!, 'billing');
    await mutate(auditScope(this.dataSource, this.access, chain), 'setCreditLimit', async (tx) => {
      const [row] = await queryRows<{ credit_limit: string; spent: string; held: string }>(
        tx,
        `SELECT credit_limit, spent, held FROM billing.account_limits WHERE account_id = $1 FOR UPDATE`,
        [chain.id],
      );
      const before = row ? { limit: Number(row.credit_limit), spent: Number(row.spent) } : null;
      const audited = { result: undefined, targetType: 'Account', targetId: chain.id, before };
      if (limit === null || limit === undefined) {
        if (row && Number(row.held) > 0) throw new AppError('INVALID_STATE', 'Reservations are held against this limit; retry when they settle');
        await tx.query(`DELETE FROM billing.account_limits WHERE account_id = $1`, [chain.id]);
        return { ...audited, unchanged: !row, after: null };
      }
      const value = assertLimit(limit, 'limit');
      assertCovers(row, value);
      await tx.query(
        `INSERT INTO billing.account_limits (account_id, credit_limit) VALUES ($1, $2)
         ON CONFLICT (account_id) DO UPDATE SET credit_limit = EXCLUDED.credit_limit, updated_at = now()`,
        [chain.id, value],
      );
      return { ...audited, after: { limit: value, spent: before?.spent ?? 0 } };
    });
  }

  /**
   * True when the user keeps a limit, false when it was cleared. A cleared limit keeps its row with
   * the period's spending, so clearing and setting a limit again never forgets what was spent.
   * `renewalAmount` (SPEC I6) becomes the limit on the 1st of each month; omitted, it stays as it was
   * (`monthlyRenewal`, deprecated: true renews to the limit, false stops renewing).
   */
  async setUserCreditLimit(accountId: string, userId: string, change: UserCreditChange): Promise<boolean> {
    const chain = await this.access.require(assertId(accountId, 'accountId'), 'billing');
    const user = assertId(userId, 'userId');
    const { limit, renewal } = validUserCreditChange(change);
    // SPEC I6: nobody sets their own credit limit, nor a peer's (same rule as identity's membership limits).
    await assertAuthorityOver(this.access, this.dataSource, chain, user);
    return mutate(auditScope(this.dataSource, this.access, chain), 'setUserCreditLimit', async (tx) => {
      const [row] = await queryRows<{ credit_limit: string | null; renewal_amount: string | null; spent: string; held: string }>(
        tx,
        `SELECT credit_limit, renewal_amount, spent, held FROM billing.user_limits WHERE account_id = $1 AND user_id = $2 FOR UPDATE`,
        [chain.id, user],
      );
      const describe = (r: { credit_limit: string | null; renewal_amount: string | null } | undefined) =>
        r && r.credit_limit !== null ? { limit: Number(r.credit_limit), renewalAmount: r.renewal_amount === null ? null : Number(r.renewal_amount) } : null;
      const before = describe(row);
      if (limit === null) {
        if (row) await tx.query(`UPDATE billing.user_limits SET credit_limit = NULL, renewal_amount = NULL, updated_at = now() WHERE account_id = $1 AND user_id = $2`, [chain.id, user]);
        return { result: false, unchanged: !before, targetType: 'UserCredit', targetId: user, before, after: null };
      }
      assertCovers(row, limit);
      const renewalAmount = renewal === 'keep' ? (row?.renewal_amount ?? null) : renewal === 'limit' ? limit : renewal;
      const timezone = await loadEffectiveTimezone(tx, chain.path);
      const [kept] = await queryRows<{ credit_limit: string; renewal_amount: string | null }>(
        tx,
        `INSERT INTO billing.user_limits (account_id, user_id, credit_limit, renewal_amount, period_start)
         VALUES ($1, $2, $3, $4, date_trunc('month', now() AT TIME ZONE $5)::date)
         ON CONFLICT (account_id, user_id) DO UPDATE
           SET credit_limit = EXCLUDED.credit_limit, renewal_amount = EXCLUDED.renewal_amount, updated_at = now()
         RETURNING credit_limit, renewal_amount`,
        [chain.id, user, limit, renewalAmount, timezone],
      );
      return { result: true, targetType: 'UserCredit', targetId: user, before, after: describe(kept) };
    });
  }
}

export interface UserCreditChange {
  limit: number | null | undefined;
  renewalAmount?: number | null;
  /** @deprecated renewalAmount */
  monthlyRenewal?: boolean | null;
}

/** The limit to set (null clears it) and its renewal: an amount, null (none), the limit itself, or as it was. */
function validUserCreditChange(change: UserCreditChange): { limit: number | null; renewal: number | null | 'limit' | 'keep' } {
  const [limit, renewal] = checkAll([() => (change.limit === null || change.limit === undefined ? null : assertLimit(change.limit, 'limit')), () => renewalOf(change)] as const);
  if (limit === null && typeof renewal === 'number') {
    throw errors.invalidFields([{ field: 'renewalAmount', code: 'BAD_USER_INPUT', message: 'A renewal amount needs a limit' }]);
  }
  return { limit, renewal };
}

function renewalOf(change: UserCreditChange): number | null | 'limit' | 'keep' {
  const monthly = change.monthlyRenewal ?? undefined;
  if (change.renewalAmount !== undefined && monthly !== undefined) throw errors.badInput('Give renewalAmount or the deprecated monthlyRenewal, not both', 'monthlyRenewal');
  if (change.renewalAmount !== undefined) return change.renewalAmount === null ? null : assertLimit(change.renewalAmount, 'renewalAmount');
  if (monthly !== undefined) return monthly ? 'limit' : null;
  return 'keep';
}

/** A limit must cover what is already spent or held against it. */
function assertCovers(row: { spent: string; held: string } | undefined, limit: number): void {
  if (row && Number(row.spent) + Number(row.held) > limit) {
    throw errors.badInput(`limit must cover the ${Number(row.spent) + Number(row.held)} units already spent or held`, 'limit');
  }
}

import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import { mutate } from '@platform/audit';
import type { AccessControl, AccountChain } from '@platform/authz';
import { queryOne } from '@platform/db';
import { AppError, assertId, assertName, errors } from '@platform/errors';
import type { BillingMode, CreditAdjustmentInput } from '../__generated__/resolvers-types';
import { auditScope } from '../activity';
import { assertLimit } from '../credit/service';
import { balanceEntryOfMovement, postMovement, type LedgerEntryRow } from '../credit/store';
import { createBalance, lockBalanceTerms, setBalanceTerms } from './store';

/** The most a postpaid tree may owe (SPEC O3: the operator grants it, within this range). */
export const MAX_CREDIT_CEILING = 100_000_000;
/** The largest manual adjustment, either way. */
export const MAX_ADJUSTMENT_UNITS = 10_000_000;

/** The ceiling of the mode: required for POSTPAID (0 to MAX_CREDIT_CEILING), absent or 0 for PREPAID. */
function validCeiling(mode: BillingMode, creditCeiling: number | null | undefined): number {
  if (mode === 'PREPAID') {
    if (creditCeiling) throw errors.badInput('Only postpaid trees have a credit ceiling', 'creditCeiling');
    return 0;
  }
  if (creditCeiling === null || creditCeiling === undefined) throw errors.badInput('A postpaid tree needs its creditCeiling', 'creditCeiling');
  if (!Number.isInteger(creditCeiling) || creditCeiling < 0 || creditCeiling > MAX_CREDIT_CEILING) {
    throw errors.badInput(`creditCeiling must be an integer between 0 and ${MAX_CREDIT_CEILING}`, 'creditCeiling');
  }
  return creditCeiling;
}

function validAdjustment(units: number): number {
  if (!Number.isInteger(units) || units === 0 || Math.abs(units) > MAX_ADJUSTMENT_UNITS) {
    throw errors.badInput(`units must be a non-zero integer between -${MAX_ADJUSTMENT_UNITS} and ${MAX_ADJUSTMENT_UNITS}`, 'units');
  }
  return units;
}

/** Billing modes and own balances of accounts (SPEC B1), and the operator's credit terms (SPEC O3); each change is audited. */
export class BalanceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessControl,
  ) {}

  private requireBilling(accountId: string): Promise<AccountChain> {
    return this.access.require(assertId(accountId, 'accountId'), 'billing');
  }

  /** SPEC O3: the operator's (finance). A postpaid tree needs its ceiling; moving the ceiling moves the credit left under it. */
  async setBillingMode(accountId: string, mode: BillingMode, creditCeiling: number | null | undefined): Promise<void> {
    const chain = await this.access.requireAsOperator(assertId(accountId, 'accountId'), 'finance');
    if (chain.depth !== 0) throw errors.badInput('The billing mode is set on the parent account of a tree', 'accountId');
    const ceiling = validCeiling(mode, creditCeiling);
    await mutate(auditScope(this.dataSource, this.access, chain), 'setBillingMode', async (tx) => {
      const created = await createBalance(tx, chain.id, mode);
      const row = (await lockBalanceTerms(tx, chain.id))!;
      const delta = ceiling - Number(row.credit_ceiling);
      if (Number(row.units) + delta < Number(row.held)) {
        throw new AppError('INVALID_STATE', 'Units already spent or held exceed the new ceiling; pay the open invoices first');
      }
      if (delta !== 0) {
        await postMovement(tx, {
          kind: 'CREDIT_CEILING',
          idempotencyKey: `ceiling:${chain.id}:${crypto.randomUUID()}`,
          lines: [
            { book: 'BALANCE', payingAccountId: chain.id, units: delta },
            { book: 'CREDIT_LINE', payingAccountId: chain.id, units: -delta },
          ],
        });
      }
      await setBalanceTerms(tx, chain.id, mode, ceiling);
      return {
        result: undefined,
        targetType: 'Account',
        targetId: chain.id,
        before: created ? null : { mode: row.mode, creditCeiling: Number(row.credit_ceiling) },
        after: { mode, creditCeiling: ceiling },
      };
    });
  }

  /**
   * SPEC O3: a manual credit adjustment by an operator (finance), a ledger movement of its own kind
   * with the reason. Positive adds units to the account's own balance (postpaid: credit under the
   * ceiling), negative removes them, never below what reservations hold.
   */
  async adjustCredit(input: CreditAdjustmentInput): Promise<LedgerEntryRow> {
    const chain = await this.access.requireAsOperator(assertId(input.accountId, 'accountId'), 'finance');
    const units = validAdjustment(input.units);
    const reason = assertName(input.reason, 'reason', 500);
    return mutate(auditScope(this.dataSource, this.access, chain), 'adjustCredit', async (tx) => {
      const balance = await lockBalanceTerms(tx, chain.id);
      if (!balance) {
        throw new AppError('INVALID_STATE', chain.depth === 0 ? 'Set the tree’s billing mode first' : 'The account draws on an ancestor’s balance; adjust the paying account');
      }
      const available = Number(balance.units) - Number(balance.held);
      if (units < 0 && -units > available) {
        throw errors.badInput(`units would take the balance below what reservations hold: at most ${available} units can be removed`, 'units');
      }
      const { movementId } = await postMovement(tx, {
        kind: 'ADJUSTMENT',
        idempotencyKey: `adjustment:${crypto.randomUUID()}`,
        reason,
        lines: [
          { book: 'BALANCE', payingAccountId: chain.id, units },
          { book: 'ADJUSTMENTS', payingAccountId: chain.id, units: -units },
        ],
      });
      const entry = await balanceEntryOfMovement(tx, movementId);
      return {
        result: entry,
        targetType: 'LedgerEntry',
        targetId: entry.id,
        before: { balance: Number(balance.units) },
        after: { balance: Number(entry.balanceAfter), units, reason },
      };
    });
  }

  async enableOwnBalance(accountId: string): Promise<void> {
    const chain = await this.requireBilling(accountId);
    if (chain.depth === 0) throw errors.badInput('A parent account always pays for itself', 'accountId');
    await this.access.require(chain.parentId!, 'billing');
    await mutate(auditScope(this.dataSource, this.access, chain), 'enableOwnBalance', async (tx) => {
      const root = await queryOne<{ mode: BillingMode }>(tx, `SELECT mode FROM billing.balances WHERE account_id = $1`, [chain.rootId]);
      if (!root) throw new AppError('INVALID_STATE', 'Set the tree’s billing mode first');
      const created = await createBalance(tx, chain.id, root.mode);
      return {
        result: undefined,
        // already paying for itself: nothing changed
        unchanged: !created,
        targetType: 'Account',
        targetId: chain.id,
        before: { ownBalance: false },
        after: { ownBalance: true, mode: root.mode },
      };
    });
  }

  async setLowBalanceThreshold(accountId: string, threshold: number | null | undefined): Promise<void> {
    const chain = await this.requireBilling(accountId);
    const value = threshold === null || threshold === undefined ? null : assertLimit(threshold, 'threshold');
    await mutate(auditScope(this.dataSource, this.access, chain), 'setLowBalanceThreshold', async (tx) => {
      const balance = await queryOne<{ low_balance_threshold: string | null }>(
        tx,
        `SELECT low_balance_threshold FROM billing.balances WHERE account_id = $1 FOR UPDATE`,
        [chain.id],
      );
      if (!balance) throw new AppError('INVALID_STATE', 'The account draws on an ancestor’s balance');
      await tx.query(`UPDATE billing.balances SET low_balance_threshold = $2 WHERE account_id = $1`, [chain.id, value]);
      return {
        result: undefined,
        targetType: 'Account',
        targetId: chain.id,
        before: { threshold: balance.low_balance_threshold === null ? null : Number(balance.low_balance_threshold) },
        after: { threshold: value },
      };
    });
  }
}

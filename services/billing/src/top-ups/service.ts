import type { DataSource } from 'typeorm';
import { mutate, recordActivity } from '@platform/audit';
import type { AccessControl } from '@platform/authz';
import type { BillingSettings } from '@platform/config';
import { inTransaction, queryOne, type Sql } from '@platform/db';
import { AppError, assertId, errors } from '@platform/errors';
import type { TopUpInput, TopUpTrigger } from '../__generated__/resolvers-types';
import { auditScope } from '../activity';
import { assertIdempotencyKey, assertLimit, assertUnits } from '../credit/service';
import { lockBalance, lockBalanceMode } from '../balances/store';
import { lockIdempotencyKey, postMovement } from '../credit/store';
import { SCHEMA } from '../data-source';
import type { PaymentProvider } from './payment-provider';
import {
  accountsDueForAutoTopUp,
  hasPendingAutoTopUp,
  insertPendingTopUp,
  lockPrepaidAutoTopUp,
  lockTopUp,
  providerTokenOf,
  recordTopUpEvent,
  settleTopUp,
  topUpByKey,
  usablePaymentMethod,
  type TopUpRow,
} from './store';

/** Runs last in the transaction that credits a successful top-up (the manual mutation's activity-log entry). */
export type OnTopUpSucceeded = (tx: Sql, settled: TopUpRow, balanceAfter: number) => Promise<unknown>;

/** A validated top-up: the account pays for itself; null paymentMethodId means its default method. */
interface TopUpRequest {
  accountId: string;
  units: number;
  paymentMethodId: string | null;
  idempotencyKey: string;
  userId: string | null;
  trigger: TopUpTrigger;
}

/**
 * SPEC B4. A top-up is recorded PENDING in one transaction, charged outside any transaction
 * (a provider call must not hold row locks), then settled in a second one: SUCCEEDED credits the
 * balance through the ledger, DECLINED credits nothing.
 */
export class TopUpService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly provider: PaymentProvider,
    private readonly settings: BillingSettings,
  ) {}

  async topUp(input: TopUpRequest, onSucceeded?: OnTopUpSucceeded): Promise<TopUpRow> {
    const pending = await inTransaction(this.dataSource, async (tx) => {
      await lockIdempotencyKey(tx, `top-up:${input.idempotencyKey}`);
      const existing = await topUpByKey(tx, input.idempotencyKey);
      if (existing) {
        if (existing.account_id !== input.accountId || Number(existing.units) !== input.units) {
          throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was already used for another top-up');
        }
        return existing;
      }
      return this.insertPending(tx, input);
    });
    if (!pending || pending.status !== 'PENDING') return pending;
    return this.chargeAndSettle(pending, onSucceeded);
  }

  private async insertPending(tx: Sql, input: TopUpRequest): Promise<TopUpRow> {
    const balance = await lockBalanceMode(tx, input.accountId);
    if (!balance) throw new AppError('INVALID_STATE', 'The account draws on an ancestor’s balance; top up the paying account');
    if (balance.mode !== 'PREPAID') throw new AppError('INVALID_STATE', 'Postpaid balances are restored by paying invoices, not by top-ups');
    const method = await usablePaymentMethod(tx, input.accountId, input.paymentMethodId);
    if (!method) {
      if (input.paymentMethodId) throw errors.notFound('Payment method');
      throw new AppError('INVALID_STATE', 'The account has no default payment method');
    }
    return insertPendingTopUp(tx, { ...input, paymentMethodId: method.id });
  }

  private async chargeAndSettle(pending: TopUpRow, onSucceeded?: OnTopUpSucceeded): Promise<TopUpRow> {
    const units = Number(pending.units);
    const result = await this.provider.charge({
      providerToken: await providerTokenOf(this.dataSource, pending.payment_method_id),
      units,
      amountMinor: units * this.settings.unitPriceMinor,
      currency: this.settings.currency,
      idempotencyKey: pending.id,
    });
    return inTransaction(this.dataSource, async (tx) => {
      const current = await lockTopUp(tx, pending.id);
      if (current.status !== 'PENDING') return current;
      let balanceAfter = 0;
      if (result.status === 'SUCCEEDED') {
        await lockBalance(tx, pending.account_id);
        const { balancesAfter } = await postMovement(tx, {
          kind: 'TOP_UP',
          idempotencyKey: `top-up:${pending.id}`,
          reference: pending.id,
          lines: [
            { book: 'BALANCE', payingAccountId: pending.account_id, userId: pending.user_id, units },
            { book: 'PAYMENTS', payingAccountId: pending.account_id, userId: pending.user_id, units: -units },
          ],
        });
        balanceAfter = balancesAfter.get(pending.account_id)!;
        await recordTopUpEvent(tx, 'TOP_UP_SUCCEEDED', pending.account_id, { topUpId: pending.id, units, trigger: pending.trigger, balance: balanceAfter });
      } else {
        await recordTopUpEvent(tx, 'TOP_UP_DECLINED', pending.account_id, { topUpId: pending.id, units, trigger: pending.trigger, reason: result.reason });
      }
      const settled = await settleTopUp(tx, pending.id, result);
      if (settled.status === 'SUCCEEDED' && onSucceeded) await onSucceeded(tx, settled, balanceAfter);
      return settled;
    });
  }

  /**
   * Automatic top-up of one prepaid balance below its threshold. The threshold is re-checked
   * under the balance row lock and at most one automatic top-up is pending per account (unique
   * index), so concurrent triggers charge once.
   */
  async autoTopUp(accountId: string): Promise<TopUpRow | null> {
    const pending = await inTransaction(this.dataSource, async (tx) => {
      const balance = await lockPrepaidAutoTopUp(tx, accountId);
      if (!balance || balance.auto_top_up_threshold === null || balance.auto_top_up_units === null) return null;
      if (Number(balance.units) >= Number(balance.auto_top_up_threshold)) return null;
      if (await hasPendingAutoTopUp(tx, accountId)) return null;
      return this.insertPending(tx, {
        accountId,
        units: Number(balance.auto_top_up_units),
        paymentMethodId: balance.auto_top_up_payment_method_id,
        idempotencyKey: `auto:${accountId}:${Date.now()}:${Math.random().toString(36).slice(2)}`,
        userId: null,
        trigger: 'AUTOMATIC',
      });
    });
    return pending ? this.chargeAndSettle(pending) : null;
  }

  /** Every prepaid balance below its automatic top-up threshold (the sweeper's pass). */
  async runAutoTopUps(): Promise<TopUpRow[]> {
    const results: TopUpRow[] = [];
    for (const accountId of await accountsDueForAutoTopUp(this.dataSource)) {
      const topUp = await this.autoTopUp(accountId);
      if (topUp) results.push(topUp);
    }
    return results;
  }
}

/** The public top-up mutations of an account (SPEC B4); each checks `billing` and is audited. */
export class AccountTopUpService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessControl,
    private readonly topUps: TopUpService,
  ) {}

  async topUp(input: TopUpInput): Promise<TopUpRow> {
    const chain = await this.access.require(assertId(input.accountId, 'accountId'), 'billing');
    const units = assertUnits(input.units);
    const paymentMethodId = input.paymentMethodId ? assertId(input.paymentMethodId, 'paymentMethodId') : null;
    // Logged in the transaction that credits the balance: a declined charge is a refusal and logs nothing.
    const topUp = await this.topUps.topUp(
      {
        accountId: chain.id,
        units,
        paymentMethodId,
        idempotencyKey: assertIdempotencyKey(input.idempotencyKey),
        userId: this.access.userId,
        trigger: 'MANUAL',
      },
      (tx, settled, balanceAfter) =>
        recordActivity(tx, { schema: SCHEMA, principal: this.access.principal, chain }, 'topUp', {
          targetType: 'TopUp',
          targetId: settled.id,
          before: { balance: balanceAfter - units },
          after: { balance: balanceAfter, units, paymentMethodId: settled.payment_method_id },
        }),
    );
    if (topUp.status === 'DECLINED') {
      throw new AppError('PAYMENT_DECLINED', `The payment provider declined the charge (${topUp.decline_reason})`, { topUpId: topUp.id });
    }
    return topUp;
  }

  /** A null threshold turns automatic top-up off. */
  async setAutoTopUp(accountId: string, threshold: number | null | undefined, units: number | null | undefined, paymentMethodId: string | null | undefined): Promise<void> {
    const chain = await this.access.require(assertId(accountId, 'accountId'), 'billing');
    await mutate(auditScope(this.dataSource, this.access, chain), 'setAutoTopUp', async (tx) => {
      const balance = await queryOne<{ mode: string; auto_top_up_threshold: string | null; auto_top_up_units: string | null; auto_top_up_payment_method_id: string | null }>(
        tx,
        `SELECT mode, auto_top_up_threshold, auto_top_up_units, auto_top_up_payment_method_id FROM billing.balances WHERE account_id = $1 FOR UPDATE`,
        [chain.id],
      );
      if (!balance || balance.mode !== 'PREPAID') throw new AppError('INVALID_STATE', 'Automatic top-up needs an own prepaid balance');
      const before =
        balance.auto_top_up_threshold === null
          ? null
          : { threshold: Number(balance.auto_top_up_threshold), units: Number(balance.auto_top_up_units), paymentMethodId: balance.auto_top_up_payment_method_id };
      const audited = { result: undefined, targetType: 'Account', targetId: chain.id, before };
      if (threshold === null || threshold === undefined) {
        await tx.query(
          `UPDATE billing.balances SET auto_top_up_threshold = NULL, auto_top_up_units = NULL, auto_top_up_payment_method_id = NULL WHERE account_id = $1`,
          [chain.id],
        );
        return { ...audited, after: null };
      }
      const methodId = paymentMethodId ? assertId(paymentMethodId, 'paymentMethodId') : null;
      if (methodId) {
        const method = await queryOne(tx, `SELECT id FROM billing.payment_methods WHERE id = $1 AND account_id = $2 AND removed_at IS NULL`, [methodId, chain.id]);
        if (!method) throw errors.notFound('Payment method');
      }
      const after = { threshold: assertLimit(threshold, 'threshold'), units: assertUnits(units, 'units'), paymentMethodId: methodId };
      await tx.query(
        `UPDATE billing.balances SET auto_top_up_threshold = $2, auto_top_up_units = $3, auto_top_up_payment_method_id = $4 WHERE account_id = $1`,
        [chain.id, after.threshold, after.units, methodId],
      );
      return { ...audited, after };
    });
  }
}

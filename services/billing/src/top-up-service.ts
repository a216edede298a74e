import type { DataSource } from 'typeorm';
import type { BillingSettings } from '@platform/config';
import { AppError, errors } from '@platform/errors';
import { postMovement } from './ledger';
import type { PaymentProvider } from './payment-provider';
import { inTransaction, type Sql } from './sql';

export interface TopUpRow {
  id: string;
  account_id: string;
  units: string;
  trigger: 'MANUAL' | 'AUTOMATIC';
  status: 'PENDING' | 'SUCCEEDED' | 'DECLINED';
  payment_method_id: string;
  decline_reason: string | null;
  user_id: string | null;
  idempotency_key: string;
  created_at: Date;
}

/** Runs last in the transaction that credits a successful top-up (the manual mutation's activity-log entry). */
export type OnTopUpSucceeded = (tx: Sql, settled: TopUpRow, balanceAfter: number) => Promise<void>;

const TOP_UP_COLUMNS = 'id, account_id, units, trigger, status, payment_method_id, decline_reason, user_id, idempotency_key, created_at';

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

  async topUp(input: {
    accountId: string;
    units: number;
    paymentMethodId: string | null;
    idempotencyKey: string;
    userId: string | null;
    trigger: 'MANUAL' | 'AUTOMATIC';
  }, onSucceeded?: OnTopUpSucceeded): Promise<TopUpRow> {
    const pending = await inTransaction(this.dataSource, async (tx) => {
      await tx.rows(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`top-up:${input.idempotencyKey}`]);
      const [existing] = await tx.rows<TopUpRow>(`SELECT ${TOP_UP_COLUMNS} FROM billing.top_ups WHERE idempotency_key = $1`, [input.idempotencyKey]);
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

  private async insertPending(
    tx: Sql,
    input: { accountId: string; units: number; paymentMethodId: string | null; idempotencyKey: string; userId: string | null; trigger: 'MANUAL' | 'AUTOMATIC' },
  ): Promise<TopUpRow> {
    const [balance] = await tx.rows<{ mode: string }>(`SELECT mode FROM billing.balances WHERE account_id = $1 FOR UPDATE`, [input.accountId]);
    if (!balance) throw new AppError('INVALID_STATE', 'The account draws on an ancestor’s balance; top up the paying account');
    if (balance.mode !== 'PREPAID') throw new AppError('INVALID_STATE', 'Postpaid balances are restored by paying invoices, not by top-ups');
    const [method] = await tx.rows<{ id: string }>(
      input.paymentMethodId
        ? `SELECT id FROM billing.payment_methods WHERE account_id = $1 AND id = $2 AND removed_at IS NULL`
        : `SELECT id FROM billing.payment_methods WHERE account_id = $1 AND is_default AND removed_at IS NULL`,
      input.paymentMethodId ? [input.accountId, input.paymentMethodId] : [input.accountId],
    );
    if (!method) {
      if (input.paymentMethodId) throw errors.notFound('Payment method');
      throw new AppError('INVALID_STATE', 'The account has no default payment method');
    }
    const [row] = await tx.rows<TopUpRow>(
      `INSERT INTO billing.top_ups (account_id, units, trigger, payment_method_id, user_id, idempotency_key)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${TOP_UP_COLUMNS}`,
      [input.accountId, input.units, input.trigger, method.id, input.userId, input.idempotencyKey],
    );
    return row;
  }

  private async chargeAndSettle(pending: TopUpRow, onSucceeded?: OnTopUpSucceeded): Promise<TopUpRow> {
    const [method] = (await this.dataSource.query(`SELECT provider_token FROM billing.payment_methods WHERE id = $1`, [
      pending.payment_method_id,
    ])) as { provider_token: string }[];
    const units = Number(pending.units);
    const result = await this.provider.charge({
      providerToken: method.provider_token,
      units,
      amountMinor: units * this.settings.unitPriceMinor,
      currency: this.settings.currency,
      idempotencyKey: pending.id,
    });
    return inTransaction(this.dataSource, async (tx) => {
      const [current] = await tx.rows<TopUpRow>(`SELECT ${TOP_UP_COLUMNS} FROM billing.top_ups WHERE id = $1 FOR UPDATE`, [pending.id]);
      if (current.status !== 'PENDING') return current;
      let balanceAfter = 0;
      if (result.status === 'SUCCEEDED') {
        await tx.rows(`SELECT account_id FROM billing.balances WHERE account_id = $1 FOR UPDATE`, [pending.account_id]);
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
        await tx.rows(`INSERT INTO billing.events (type, account_id, payload) VALUES ('TOP_UP_SUCCEEDED', $1, $2)`, [
          pending.account_id,
          JSON.stringify({ topUpId: pending.id, units, trigger: pending.trigger, balance: balancesAfter.get(pending.account_id) }),
        ]);
      } else {
        await tx.rows(`INSERT INTO billing.events (type, account_id, payload) VALUES ('TOP_UP_DECLINED', $1, $2)`, [
          pending.account_id,
          JSON.stringify({ topUpId: pending.id, units, trigger: pending.trigger, reason: result.reason }),
        ]);
      }
      const [settled] = await tx.rows<TopUpRow>(
        `UPDATE billing.top_ups SET status = $2, provider_reference = $3, decline_reason = $4, completed_at = now()
          WHERE id = $1 RETURNING ${TOP_UP_COLUMNS}`,
        [
          pending.id,
          result.status,
          result.status === 'SUCCEEDED' ? result.providerReference : null,
          result.status === 'DECLINED' ? result.reason : null,
        ],
      );
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
      const [balance] = await tx.rows<{ units: string; held: string; auto_top_up_threshold: string | null; auto_top_up_units: string | null; auto_top_up_payment_method_id: string | null }>(
        `SELECT units, held, auto_top_up_threshold, auto_top_up_units, auto_top_up_payment_method_id
           FROM billing.balances WHERE account_id = $1 AND mode = 'PREPAID' FOR UPDATE`,
        [accountId],
      );
      if (!balance || balance.auto_top_up_threshold === null || balance.auto_top_up_units === null) return null;
      if (Number(balance.units) >= Number(balance.auto_top_up_threshold)) return null;
      const [inFlight] = await tx.rows(`SELECT id FROM billing.top_ups WHERE account_id = $1 AND trigger = 'AUTOMATIC' AND status = 'PENDING'`, [accountId]);
      if (inFlight) return null;
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
    const due = (await this.dataSource.query(
      `SELECT account_id FROM billing.balances WHERE mode = 'PREPAID' AND auto_top_up_threshold IS NOT NULL AND units < auto_top_up_threshold`,
    )) as { account_id: string }[];
    const results: TopUpRow[] = [];
    for (const { account_id } of due) {
      const topUp = await this.autoTopUp(account_id);
      if (topUp) results.push(topUp);
    }
    return results;
  }
}

import type { DataSource } from 'typeorm';
import { assertAuthorityOver, type AccessControl, type AccountChain } from '@platform/authz';
import { AppError, assertId, errors } from '@platform/errors';
import { recordActivity, type BillingActivity } from './activity';
import { assertIdempotencyKey, assertUnits } from './credit-service';
import { postMovement } from './ledger';
import { effectiveTimezone } from './read-model';
import { inTransaction, type Sql } from './sql';
import type { TopUpService } from './top-up-service';

export const MAX_LIMIT = 1_000_000_000;

function assertLimit(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_LIMIT) {
    throw errors.badInput(`${field} must be an integer between 0 and ${MAX_LIMIT}`, field);
  }
  return value;
}

const PLANS = ['STARTER', 'STANDARD', 'ENTERPRISE'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface TransferRow {
  id: string;
  kind: 'BALANCE' | 'CREDIT';
  from_account_id: string;
  to_account_id: string;
  units: string;
  user_id: string | null;
  created_at: Date;
}

/**
 * The public billing mutations (SPEC B1, B3-B5); each checks `billing` through AccessControl and
 * runs in one transaction, which ends with its activity-log entry (SPEC I9, ./activity.ts).
 */
export class BillingService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessControl,
    private readonly topUps: TopUpService,
  ) {}

  private log(tx: Sql, chain: AccountChain, action: string, activity: BillingActivity): Promise<void> {
    return recordActivity(tx, this.access.principal, chain, action, activity);
  }

  private requireBilling(accountId: string, field = 'accountId'): Promise<AccountChain> {
    return this.access.require(assertId(accountId, field), 'billing');
  }

  async setBillingMode(accountId: string, mode: 'PREPAID' | 'POSTPAID', creditCeiling: number | null | undefined): Promise<void> {
    const chain = await this.requireBilling(accountId);
    if (chain.depth !== 0) throw errors.badInput('The billing mode is set on the parent account of a tree', 'accountId');
    const ceiling = mode === 'POSTPAID' ? assertLimit(creditCeiling ?? 0, 'creditCeiling') : 0;
    if (mode === 'PREPAID' && creditCeiling) throw errors.badInput('Only postpaid trees have a credit ceiling', 'creditCeiling');
    await inTransaction(this.dataSource, async (tx) => {
      const created = await tx.rows(
        `INSERT INTO billing.balances (account_id, units, mode) VALUES ($1, 0, $2) ON CONFLICT (account_id) DO NOTHING RETURNING account_id`,
        [chain.id, mode],
      );
      const [row] = await tx.rows<{ mode: string; units: string; held: string; credit_ceiling: string }>(
        `SELECT mode, units, held, credit_ceiling FROM billing.balances WHERE account_id = $1 FOR UPDATE`,
        [chain.id],
      );
      // The postpaid balance is the credit left under the ceiling: moving the ceiling moves it too.
      const delta = ceiling - Number(row.credit_ceiling);
      if (Number(row.units) + delta < Number(row.held)) {
        throw new AppError('INVALID_STATE', 'Units already spent or held exceed the new ceiling; pay the open invoices first');
      }
      if (delta !== 0) {
        await postMovement(tx, {
          kind: 'CREDIT_CEILING',
          idempotencyKey: `ceiling:${chain.id}:${Date.now()}:${Math.random().toString(36).slice(2)}`,
          lines: [
            { book: 'BALANCE', payingAccountId: chain.id, userId: this.access.userId, units: delta },
            { book: 'CREDIT_LINE', payingAccountId: chain.id, userId: this.access.userId, units: -delta },
          ],
        });
      }
      await tx.rows(`UPDATE billing.balances SET mode = $2, credit_ceiling = $3, updated_at = now() WHERE account_id = $1`, [chain.id, mode, ceiling]);
      await this.log(tx, chain, 'setBillingMode', {
        targetType: 'Account',
        targetId: chain.id,
        before: created.length ? null : { mode: row.mode, creditCeiling: Number(row.credit_ceiling) },
        after: { mode, creditCeiling: ceiling },
      });
    });
  }

  async enableOwnBalance(accountId: string): Promise<void> {
    const chain = await this.requireBilling(accountId);
    if (chain.depth === 0) throw errors.badInput('A parent account always pays for itself', 'accountId');
    await this.access.require(chain.parentId!, 'billing');
    await inTransaction(this.dataSource, async (tx) => {
      const [root] = await tx.rows<{ mode: string }>(`SELECT mode FROM billing.balances WHERE account_id = $1`, [chain.rootId]);
      if (!root) throw new AppError('INVALID_STATE', 'Set the tree’s billing mode first');
      const created = await tx.rows(
        `INSERT INTO billing.balances (account_id, units, mode) VALUES ($1, 0, $2) ON CONFLICT (account_id) DO NOTHING RETURNING account_id`,
        [chain.id, root.mode],
      );
      if (created.length === 0) return; // already paying for itself: nothing changed
      await this.log(tx, chain, 'enableOwnBalance', { targetType: 'Account', targetId: chain.id, before: { ownBalance: false }, after: { ownBalance: true, mode: root.mode } });
    });
  }

  /** A sub-account's limit is decided above it: `billing` on its parent. */
  async setCreditLimit(accountId: string, limit: number | null | undefined): Promise<void> {
    const chain = await this.requireBilling(accountId);
    if (chain.depth === 0) throw errors.badInput('A parent account is capped by its balance or credit ceiling, not by a limit', 'accountId');
    await this.access.require(chain.parentId!, 'billing');
    await inTransaction(this.dataSource, async (tx) => {
      const [row] = await tx.rows<{ credit_limit: string; spent: string; held: string }>(
        `SELECT credit_limit, spent, held FROM billing.account_limits WHERE account_id = $1 FOR UPDATE`,
        [chain.id],
      );
      const before = row ? { limit: Number(row.credit_limit), spent: Number(row.spent) } : null;
      if (limit === null || limit === undefined) {
        if (row && Number(row.held) > 0) throw new AppError('INVALID_STATE', 'Reservations are held against this limit; retry when they settle');
        await tx.rows(`DELETE FROM billing.account_limits WHERE account_id = $1`, [chain.id]);
        if (row) await this.log(tx, chain, 'setCreditLimit', { targetType: 'Account', targetId: chain.id, before, after: null });
        return;
      }
      const value = assertLimit(limit, 'limit');
      if (row && Number(row.spent) + Number(row.held) > value) {
        throw errors.badInput(`limit must cover the ${Number(row.spent) + Number(row.held)} units already spent or held`, 'limit');
      }
      await tx.rows(
        `INSERT INTO billing.account_limits (account_id, credit_limit) VALUES ($1, $2)
         ON CONFLICT (account_id) DO UPDATE SET credit_limit = EXCLUDED.credit_limit, updated_at = now()`,
        [chain.id, value],
      );
      await this.log(tx, chain, 'setCreditLimit', { targetType: 'Account', targetId: chain.id, before, after: { limit: value, spent: before?.spent ?? 0 } });
    });
  }

  async setUserCreditLimit(accountId: string, userId: string, limit: number | null | undefined, monthlyRenewal: boolean | null | undefined): Promise<boolean> {
    const chain = await this.requireBilling(accountId);
    const user = assertId(userId, 'userId');
    // SPEC I6: nobody sets their own credit limit, nor a peer's (same rule as identity's membership limits).
    await assertAuthorityOver(this.access, this.dataSource, chain, user);
    return inTransaction(this.dataSource, async (tx) => {
      const [row] = await tx.rows<{ credit_limit: string; monthly_renewal: boolean; spent: string; held: string }>(
        `SELECT credit_limit, monthly_renewal, spent, held FROM billing.user_limits WHERE account_id = $1 AND user_id = $2 FOR UPDATE`,
        [chain.id, user],
      );
      const before = row ? { limit: Number(row.credit_limit), monthlyRenewal: row.monthly_renewal } : null;
      if (limit === null || limit === undefined) {
        if (row && Number(row.held) > 0) throw new AppError('INVALID_STATE', 'Reservations are held against this limit; retry when they settle');
        await tx.rows(`DELETE FROM billing.user_limits WHERE account_id = $1 AND user_id = $2`, [chain.id, user]);
        if (row) await this.log(tx, chain, 'setUserCreditLimit', { targetType: 'UserCredit', targetId: user, before, after: null });
        return false;
      }
      const value = assertLimit(limit, 'limit');
      if (row && Number(row.spent) + Number(row.held) > value) {
        throw errors.badInput(`limit must cover the ${Number(row.spent) + Number(row.held)} units already spent or held`, 'limit');
      }
      const timezone = await effectiveTimezone(tx, chain.path);
      const [kept] = await tx.rows<{ credit_limit: string; monthly_renewal: boolean }>(
        `INSERT INTO billing.user_limits (account_id, user_id, credit_limit, monthly_renewal, period_start)
         VALUES ($1, $2, $3, $4, date_trunc('month', now() AT TIME ZONE $5)::date)
         ON CONFLICT (account_id, user_id) DO UPDATE
           SET credit_limit = EXCLUDED.credit_limit, monthly_renewal = COALESCE($6, billing.user_limits.monthly_renewal), updated_at = now()
         RETURNING credit_limit, monthly_renewal`,
        [chain.id, user, value, monthlyRenewal ?? false, timezone, monthlyRenewal ?? null],
      );
      await this.log(tx, chain, 'setUserCreditLimit', {
        targetType: 'UserCredit',
        targetId: user,
        before,
        after: { limit: Number(kept.credit_limit), monthlyRenewal: kept.monthly_renewal },
      });
      return true;
    });
  }

  /**
   * Balance or credit-limit units between an account and one of its descendants (either way).
   * `billing` is required on the upper account (which reaches the lower one).
   */
  async transfer(kind: 'BALANCE' | 'CREDIT', input: { fromAccountId: string; toAccountId: string; units: number; idempotencyKey: string }): Promise<TransferRow> {
    const fromId = assertId(input.fromAccountId, 'fromAccountId');
    const toId = assertId(input.toAccountId, 'toAccountId');
    const units = assertUnits(input.units);
    const idempotencyKey = assertIdempotencyKey(input.idempotencyKey);
    const from = await this.access.require(fromId, 'billing');
    const to = await this.access.require(toId, 'billing');
    if (from.id === to.id || !(to.path.includes(from.id) || from.path.includes(to.id))) {
      throw new AppError('INVALID_TRANSFER', 'Transfers go only between an account and one of its descendants');
    }
    const [upper, lower] = to.path.includes(from.id) ? [from, to] : [to, from];
    return inTransaction(this.dataSource, async (tx) => {
      await tx.rows(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`transfer:${idempotencyKey}`]);
      const [existing] = await tx.rows<TransferRow>(`SELECT * FROM billing.transfers WHERE idempotency_key = $1`, [idempotencyKey]);
      if (existing) {
        if (existing.kind !== kind || existing.from_account_id !== fromId || existing.to_account_id !== toId || Number(existing.units) !== units) {
          throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was already used for another transfer');
        }
        return existing; // a replay changes nothing and logs nothing
      }
      let before: Record<string, number | null>;
      let after: Record<string, number | null>;
      if (kind === 'BALANCE') {
        // upper before lower: the root-first lock order
        const rows = await tx.rows<{ account_id: string; units: string; held: string }>(
          `SELECT account_id, units, held FROM billing.balances WHERE account_id = ANY($1::uuid[])
            ORDER BY array_position($1::uuid[], account_id) FOR UPDATE`,
          [[upper.id, lower.id]],
        );
        if (rows.length !== 2) throw new AppError('INVALID_TRANSFER', 'Both accounts need their own balance (enableOwnBalance)');
        const source = rows.find((r) => r.account_id === fromId)!;
        const target = rows.find((r) => r.account_id === toId)!;
        if (Number(source.units) - Number(source.held) < units) {
          throw new AppError('INSUFFICIENT_CREDIT', 'The source balance does not cover the transfer', { limit: 'BALANCE', limitAccountId: fromId, remaining: Number(source.units) - Number(source.held) });
        }
        before = { fromBalance: Number(source.units), toBalance: Number(target.units) };
        after = { fromBalance: Number(source.units) - units, toBalance: Number(target.units) + units };
      } else {
        const rows = await tx.rows<{ account_id: string; credit_limit: string; spent: string; held: string }>(
          `SELECT account_id, credit_limit, spent, held FROM billing.account_limits WHERE account_id = ANY($1::uuid[])
            ORDER BY array_position($1::uuid[], account_id) FOR UPDATE`,
          [[upper.id, lower.id]],
        );
        const source = rows.find((r) => r.account_id === fromId);
        const target = rows.find((r) => r.account_id === toId);
        if (!target) throw new AppError('INVALID_TRANSFER', 'The receiving account has no credit limit to raise');
        if (source) {
          const free = Number(source.credit_limit) - Number(source.spent) - Number(source.held);
          if (free < units) throw new AppError('INSUFFICIENT_CREDIT', 'The source limit does not cover the transfer', { limit: 'ACCOUNT_LIMIT', limitAccountId: fromId, remaining: free });
          await tx.rows(`UPDATE billing.account_limits SET credit_limit = credit_limit - $2, updated_at = now() WHERE account_id = $1`, [fromId, units]);
        } else if (from === lower) {
          throw new AppError('INVALID_TRANSFER', 'The giving account has no credit limit to lower');
        }
        if (Number(target.credit_limit) + units > MAX_LIMIT) throw errors.badInput('The receiving limit would be too large', 'units');
        await tx.rows(`UPDATE billing.account_limits SET credit_limit = credit_limit + $2, updated_at = now() WHERE account_id = $1`, [toId, units]);
        before = { fromLimit: source ? Number(source.credit_limit) : null, toLimit: Number(target.credit_limit) };
        after = { fromLimit: source ? Number(source.credit_limit) - units : null, toLimit: Number(target.credit_limit) + units };
      }
      const [transfer] = await tx.rows<TransferRow>(
        `INSERT INTO billing.transfers (kind, from_account_id, to_account_id, units, user_id, idempotency_key)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [kind, fromId, toId, units, this.access.userId, idempotencyKey],
      );
      if (kind === 'BALANCE') {
        await postMovement(tx, {
          kind: 'TRANSFER',
          idempotencyKey: `transfer:${transfer.id}`,
          reference: transfer.id,
          lines: [
            { book: 'BALANCE', payingAccountId: fromId, userId: this.access.userId, units: -units },
            { book: 'BALANCE', payingAccountId: toId, userId: this.access.userId, units },
          ],
        });
      }
      // On the lower account: admins of both sides see it (the upper one is its ancestor).
      await this.log(tx, lower, kind === 'BALANCE' ? 'transferBalance' : 'transferCredit', {
        targetType: 'Transfer',
        targetId: transfer.id,
        before,
        after: { ...after, fromAccountId: fromId, toAccountId: toId, units },
      });
      return transfer;
    });
  }

  async topUp(input: { accountId: string; units: number; paymentMethodId?: string | null; idempotencyKey: string }) {
    const chain = await this.requireBilling(input.accountId);
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
        this.log(tx, chain, 'topUp', {
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

  async setAutoTopUp(accountId: string, threshold: number | null | undefined, units: number | null | undefined, paymentMethodId: string | null | undefined) {
    const chain = await this.requireBilling(accountId);
    await inTransaction(this.dataSource, async (tx) => {
      const [balance] = await tx.rows<{ mode: string; auto_top_up_threshold: string | null; auto_top_up_units: string | null; auto_top_up_payment_method_id: string | null }>(
        `SELECT mode, auto_top_up_threshold, auto_top_up_units, auto_top_up_payment_method_id FROM billing.balances WHERE account_id = $1 FOR UPDATE`,
        [chain.id],
      );
      if (!balance || balance.mode !== 'PREPAID') throw new AppError('INVALID_STATE', 'Automatic top-up needs an own prepaid balance');
      const before =
        balance.auto_top_up_threshold === null
          ? null
          : { threshold: Number(balance.auto_top_up_threshold), units: Number(balance.auto_top_up_units), paymentMethodId: balance.auto_top_up_payment_method_id };
      if (threshold === null || threshold === undefined) {
        await tx.rows(
          `UPDATE billing.balances SET auto_top_up_threshold = NULL, auto_top_up_units = NULL, auto_top_up_payment_method_id = NULL WHERE account_id = $1`,
          [chain.id],
        );
        await this.log(tx, chain, 'setAutoTopUp', { targetType: 'Account', targetId: chain.id, before, after: null });
        return;
      }
      const methodId = paymentMethodId ? assertId(paymentMethodId, 'paymentMethodId') : null;
      if (methodId) {
        const [method] = await tx.rows(`SELECT id FROM billing.payment_methods WHERE id = $1 AND account_id = $2 AND removed_at IS NULL`, [methodId, chain.id]);
        if (!method) throw errors.notFound('Payment method');
      }
      const after = { threshold: assertLimit(threshold, 'threshold'), units: assertUnits(units, 'units'), paymentMethodId: methodId };
      await tx.rows(
        `UPDATE billing.balances SET auto_top_up_threshold = $2, auto_top_up_units = $3, auto_top_up_payment_method_id = $4 WHERE account_id = $1`,
        [chain.id, after.threshold, after.units, methodId],
      );
      await this.log(tx, chain, 'setAutoTopUp', { targetType: 'Account', targetId: chain.id, before, after });
    });
  }

  async setLowBalanceThreshold(accountId: string, threshold: number | null | undefined) {
    const chain = await this.requireBilling(accountId);
    const value = threshold === null || threshold === undefined ? null : assertLimit(threshold, 'threshold');
    await inTransaction(this.dataSource, async (tx) => {
      const [balance] = await tx.rows<{ low_balance_threshold: string | null }>(
        `SELECT low_balance_threshold FROM billing.balances WHERE account_id = $1 FOR UPDATE`,
        [chain.id],
      );
      if (!balance) throw new AppError('INVALID_STATE', 'The account draws on an ancestor’s balance');
      await tx.rows(`UPDATE billing.balances SET low_balance_threshold = $2 WHERE account_id = $1`, [chain.id, value]);
      await this.log(tx, chain, 'setLowBalanceThreshold', {
        targetType: 'Account',
        targetId: chain.id,
        before: { threshold: balance.low_balance_threshold === null ? null : Number(balance.low_balance_threshold) },
        after: { threshold: value },
      });
    });
  }

  async updateBillingProfile(accountId: string, input: { plan?: string | null; billingEmail?: string | null; address?: Record<string, string | null> | null }) {
    const chain = await this.requireBilling(accountId);
    if (input.plan && !PLANS.includes(input.plan)) throw errors.badInput('Unknown plan', 'plan');
    let email: string | null | undefined = undefined;
    if (input.billingEmail !== undefined && input.billingEmail !== null) {
      email = input.billingEmail.trim().toLowerCase();
      if (email.length > 254 || !EMAIL.test(email)) throw errors.badInput('billingEmail is not an email address', 'billingEmail');
    }
    let address: Record<string, string> | undefined = undefined;
    if (input.address) {
      address = {};
      for (const [key, value] of Object.entries(input.address)) {
        if (value === null || value === undefined) continue;
        const trimmed = String(value).trim();
        if (trimmed.length > 200 || /[\u0000-\u001f\u007f]/.test(trimmed)) throw errors.badInput(`address.${key} must be at most 200 printable characters`, `address.${key}`);
        if (key === 'country' && !/^[A-Z]{2}$/.test(trimmed)) throw errors.badInput('address.country is an ISO 3166 code such as FR', 'address.country');
        if (trimmed) address[key] = trimmed;
      }
    }
    await inTransaction(this.dataSource, async (tx) => {
      // An account without a row reads as the defaults; create them so there is a row to lock and a before.
      await tx.rows(`INSERT INTO billing.billing_profiles (account_id) VALUES ($1) ON CONFLICT (account_id) DO NOTHING`, [chain.id]);
      const [before] = await tx.rows<{ plan: string; billing_email: string | null; address: Record<string, string> }>(
        `SELECT plan, billing_email, address FROM billing.billing_profiles WHERE account_id = $1 FOR UPDATE`,
        [chain.id],
      );
      const [after] = await tx.rows<{ plan: string; billing_email: string | null; address: Record<string, string> }>(
        `UPDATE billing.billing_profiles SET plan = COALESCE($2, plan), billing_email = CASE WHEN $5 THEN $3 ELSE billing_email END,
           address = COALESCE($4::jsonb, address), updated_at = now()
         WHERE account_id = $1 RETURNING plan, billing_email, address`,
        [chain.id, input.plan ?? null, email ?? null, address ? JSON.stringify(address) : null, email !== undefined],
      );
      const view = (p: typeof before) => ({ plan: p.plan, billingEmail: p.billing_email, address: p.address });
      await this.log(tx, chain, 'updateBillingProfile', { targetType: 'BillingProfile', targetId: chain.id, before: view(before), after: view(after) });
    });
    return chain.id;
  }

  async addPaymentMethod(accountId: string, providerToken: string, brand: string, last4: string, makeDefault: boolean) {
    const chain = await this.requireBilling(accountId);
    if (!/^tok_[A-Za-z0-9_]{1,100}$/.test(providerToken)) throw errors.badInput('providerToken is not a payment provider token', 'providerToken');
    if (!/^[0-9]{4}$/.test(last4)) throw errors.badInput('last4 is the last four digits only', 'last4');
    const cleanBrand = brand.trim();
    if (cleanBrand.length < 1 || cleanBrand.length > 30) throw errors.badInput('brand must be 1 to 30 characters', 'brand');
    return inTransaction(this.dataSource, async (tx) => {
      const [existingDefault] = await tx.rows<{ id: string }>(
        `SELECT id FROM billing.payment_methods WHERE account_id = $1 AND is_default AND removed_at IS NULL FOR UPDATE`,
        [chain.id],
      );
      const isDefault = makeDefault || !existingDefault;
      if (isDefault && existingDefault) await tx.rows(`UPDATE billing.payment_methods SET is_default = false WHERE account_id = $1 AND is_default`, [chain.id]);
      const [row] = await tx.rows<{ id: string }>(
        `INSERT INTO billing.payment_methods (account_id, provider_token, brand, last4, is_default) VALUES ($1, $2, $3, $4, $5) RETURNING *`,
        [chain.id, providerToken, cleanBrand, last4, isDefault],
      );
      // Never the provider token nor card digits: the brand and the method's id are enough to follow it.
      await this.log(tx, chain, 'addPaymentMethod', {
        targetType: 'PaymentMethod',
        targetId: row.id,
        before: { defaultPaymentMethodId: existingDefault?.id ?? null },
        after: { brand: cleanBrand, isDefault, defaultPaymentMethodId: isDefault ? row.id : (existingDefault?.id ?? null) },
      });
      return row;
    });
  }

  async setDefaultPaymentMethod(accountId: string, paymentMethodId: string) {
    const chain = await this.requireBilling(accountId);
    const id = assertId(paymentMethodId, 'paymentMethodId');
    return inTransaction(this.dataSource, async (tx) => {
      const [method] = await tx.rows(`SELECT id FROM billing.payment_methods WHERE id = $1 AND account_id = $2 AND removed_at IS NULL FOR UPDATE`, [id, chain.id]);
      if (!method) throw errors.notFound('Payment method');
      const previous = await tx.rows<{ id: string }>(`UPDATE billing.payment_methods SET is_default = false WHERE account_id = $1 AND is_default RETURNING id`, [chain.id]);
      const [row] = await tx.rows(`UPDATE billing.payment_methods SET is_default = true WHERE id = $1 RETURNING *`, [id]);
      await this.log(tx, chain, 'setDefaultPaymentMethod', {
        targetType: 'PaymentMethod',
        targetId: id,
        before: { defaultPaymentMethodId: previous[0]?.id ?? null },
        after: { defaultPaymentMethodId: id },
      });
      return row;
    });
  }

  async removePaymentMethod(accountId: string, paymentMethodId: string): Promise<boolean> {
    const chain = await this.requireBilling(accountId);
    const id = assertId(paymentMethodId, 'paymentMethodId');
    return inTransaction(this.dataSource, async (tx) => {
      const [method] = await tx.rows<{ brand: string; is_default: boolean }>(
        `SELECT brand, is_default FROM billing.payment_methods WHERE id = $1 AND account_id = $2 AND removed_at IS NULL FOR UPDATE`,
        [id, chain.id],
      );
      if (!method) throw errors.notFound('Payment method');
      await tx.rows(`UPDATE billing.payment_methods SET removed_at = now(), is_default = false WHERE id = $1`, [id]);
      const autoTopUps = await tx.rows(
        `UPDATE billing.balances SET auto_top_up_payment_method_id = NULL WHERE auto_top_up_payment_method_id = $1 RETURNING account_id`,
        [id],
      );
      await this.log(tx, chain, 'removePaymentMethod', {
        targetType: 'PaymentMethod',
        targetId: id,
        before: { brand: method.brand, isDefault: method.is_default, usedByAutoTopUp: autoTopUps.length > 0 },
        after: null,
      });
      return true;
    });
  }
}

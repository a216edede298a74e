import type { DataSource } from 'typeorm';
import { mutate } from '@platform/audit';
import type { AccessControl, AccountChain } from '@platform/authz';
import { queryOne, queryRows } from '@platform/db';
import { AppError, assertId, errors } from '@platform/errors';
import type { BillingMode } from '../__generated__/resolvers-types';
import { auditScope } from '../activity';
import { assertLimit } from '../credit/service';
import { postMovement } from '../credit/store';

/** Billing modes and own balances of accounts (SPEC B1); each change checks `billing` and is audited. */
export class BalanceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessControl,
  ) {}

  private requireBilling(accountId: string): Promise<AccountChain> {
    return this.access.require(assertId(accountId, 'accountId'), 'billing');
  }

  async setBillingMode(accountId: string, mode: BillingMode, creditCeiling: number | null | undefined): Promise<void> {
    const chain = await this.requireBilling(accountId);
    if (chain.depth !== 0) throw errors.badInput('The billing mode is set on the parent account of a tree', 'accountId');
    const ceiling = mode === 'POSTPAID' ? assertLimit(creditCeiling ?? 0, 'creditCeiling') : 0;
    if (mode === 'PREPAID' && creditCeiling) throw errors.badInput('Only postpaid trees have a credit ceiling', 'creditCeiling');
    await mutate(auditScope(this.dataSource, this.access, chain), 'setBillingMode', async (tx) => {
      const created = await queryRows(
        tx,
        `INSERT INTO billing.balances (account_id, units, mode) VALUES ($1, 0, $2) ON CONFLICT (account_id) DO NOTHING RETURNING account_id`,
        [chain.id, mode],
      );
      const row = (await queryOne<{ mode: string; units: string; held: string; credit_ceiling: string }>(
        tx,
        `SELECT mode, units, held, credit_ceiling FROM billing.balances WHERE account_id = $1 FOR UPDATE`,
        [chain.id],
      ))!;
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
      await tx.query(`UPDATE billing.balances SET mode = $2, credit_ceiling = $3, updated_at = now() WHERE account_id = $1`, [chain.id, mode, ceiling]);
      return {
        result: undefined,
        targetType: 'Account',
        targetId: chain.id,
        before: created.length ? null : { mode: row.mode, creditCeiling: Number(row.credit_ceiling) },
        after: { mode, creditCeiling: ceiling },
      };
    });
  }

  async enableOwnBalance(accountId: string): Promise<void> {
    const chain = await this.requireBilling(accountId);
    if (chain.depth === 0) throw errors.badInput('A parent account always pays for itself', 'accountId');
    await this.access.require(chain.parentId!, 'billing');
    await mutate(auditScope(this.dataSource, this.access, chain), 'enableOwnBalance', async (tx) => {
      const root = await queryOne<{ mode: string }>(tx, `SELECT mode FROM billing.balances WHERE account_id = $1`, [chain.rootId]);
      if (!root) throw new AppError('INVALID_STATE', 'Set the tree’s billing mode first');
      const created = await queryRows(
        tx,
        `INSERT INTO billing.balances (account_id, units, mode) VALUES ($1, 0, $2) ON CONFLICT (account_id) DO NOTHING RETURNING account_id`,
        [chain.id, root.mode],
      );
      return {
        result: undefined,
        // already paying for itself: nothing changed
        unchanged: created.length === 0,
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

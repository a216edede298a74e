import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { SubgraphRequestContext } from '@platform/server';

export interface BillingContext extends SubgraphRequestContext {
  loaders: {
    /** Balance rows of accounts that pay for themselves; null for accounts drawing on an ancestor. */
    ownBalanceByAccountId: DataLoader<string, number | null>;
  };
}

export function createBillingContext(base: SubgraphRequestContext, dataSource: DataSource): BillingContext {
  return {
    ...base,
    loaders: {
      ownBalanceByAccountId: new DataLoader(async (accountIds) => {
        const rows: { account_id: string; units: string }[] = await dataSource.query(
          `SELECT account_id, units FROM billing.balances WHERE account_id = ANY($1::uuid[])`,
          [accountIds],
        );
        const byId = new Map(rows.map((r) => [r.account_id, Number(r.units)]));
        return accountIds.map((id) => byId.get(id) ?? null);
      }),
    },
  };
}

import type { BillingContext } from '../context';

export const Account = {
  __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
  /** The nearest account on the chain (self first) that has a balance pays (SPEC B1). */
  balance: async (account: { id: string }, _args: unknown, ctx: BillingContext) => {
    const chain = await ctx.access.chains.load(account.id);
    if (!chain) return 0;
    const balances = await ctx.loaders.ownBalanceByAccountId.loadMany(chain.path);
    for (let i = balances.length - 1; i >= 0; i--) {
      const units = balances[i];
      if (typeof units === 'number') return units;
    }
    return 0;
  },
};

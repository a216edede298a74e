import type { BillingContext } from '../context';
import { visibleAccount } from '../read-model';
import type { BalanceRow } from './store';

/** The nearest account on the chain (self first) that has a balance pays (SPEC B1). */
export async function payingBalance(accountId: string, ctx: BillingContext): Promise<{ path: string[]; payer: BalanceRow | null; rootId: string | null }> {
  const chain = await ctx.access.chains.load(accountId);
  if (!chain) return { path: [], payer: null, rootId: null };
  const balances = await ctx.loaders.balanceByAccountId.loadMany(chain.path);
  for (let i = balances.length - 1; i >= 0; i--) {
    const row = balances[i];
    if (row && !(row instanceof Error)) return { path: chain.path, payer: row, rootId: chain.rootId };
  }
  return { path: chain.path, payer: null, rootId: chain.rootId };
}

type ByAccount = { accountId: string };

export const resolvers = {
  Mutation: {
    setBillingMode: async (_root: unknown, args: ByAccount & { mode: 'PREPAID' | 'POSTPAID'; creditCeiling?: number | null }, ctx: BillingContext) => {
      await ctx.balances.setBillingMode(args.accountId, args.mode, args.creditCeiling);
      return { id: args.accountId.toLowerCase() };
    },
    enableOwnBalance: async (_root: unknown, args: ByAccount, ctx: BillingContext) => {
      await ctx.balances.enableOwnBalance(args.accountId);
      return { id: args.accountId.toLowerCase() };
    },
    setLowBalanceThreshold: async (_root: unknown, args: ByAccount & { threshold?: number | null }, ctx: BillingContext) => {
      await ctx.balances.setLowBalanceThreshold(args.accountId, args.threshold);
      return { id: args.accountId.toLowerCase() };
    },
  },
  Account: {
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
    balance: async (account: { id: string }, _args: unknown, ctx: BillingContext) => {
      const { payer } = await payingBalance(account.id, ctx);
      return payer ? Number(payer.units) : 0;
    },
    billing: (account: { id: string }) => ({ accountId: account.id }),
  },
  AccountBilling: {
    mode: async (parent: { accountId: string }, _args: unknown, ctx: BillingContext) => {
      const { rootId } = await payingBalance(parent.accountId, ctx);
      return rootId ? ((await ctx.loaders.balanceByAccountId.load(rootId))?.mode ?? null) : null;
    },
    ownBalance: async (parent: { accountId: string }, _args: unknown, ctx: BillingContext) => (await ctx.loaders.balanceByAccountId.load(parent.accountId)) !== null,
    paidBy: async (parent: { accountId: string }, _args: unknown, ctx: BillingContext) => {
      const { payer } = await payingBalance(parent.accountId, ctx);
      if (!payer) return 'NONE';
      return payer.account_id === parent.accountId ? 'SELF' : 'ANCESTOR';
    },
    payingAccount: async (parent: { accountId: string }, _args: unknown, ctx: BillingContext) => {
      const { payer } = await payingBalance(parent.accountId, ctx);
      return payer ? visibleAccount(payer.account_id, ctx.access) : null;
    },
    balance: async (parent: { accountId: string }, _args: unknown, ctx: BillingContext) => Number((await payingBalance(parent.accountId, ctx)).payer?.units ?? 0),
    heldUnits: async (parent: { accountId: string }, _args: unknown, ctx: BillingContext) => Number((await payingBalance(parent.accountId, ctx)).payer?.held ?? 0),
    creditCeiling: async (parent: { accountId: string }, _args: unknown, ctx: BillingContext) => {
      const { payer } = await payingBalance(parent.accountId, ctx);
      return payer?.mode === 'POSTPAID' ? Number(payer.credit_ceiling) : null;
    },
    creditLimit: (parent: { accountId: string }, _args: unknown, ctx: BillingContext) => ctx.loaders.limitByAccountId.load(parent.accountId),
    remainingCredit: async (parent: { accountId: string }, _args: unknown, ctx: BillingContext) => {
      const { path, payer } = await payingBalance(parent.accountId, ctx);
      if (!payer) return 0;
      let remaining = Number(payer.units) - Number(payer.held);
      for (const limit of await ctx.loaders.limitByAccountId.loadMany(path)) {
        if (limit && !(limit instanceof Error)) remaining = Math.min(remaining, Number(limit.credit_limit) - Number(limit.spent) - Number(limit.held));
      }
      return Math.max(remaining, 0);
    },
    lowBalanceThreshold: async (parent: { accountId: string }, _args: unknown, ctx: BillingContext) => {
      const own = await ctx.loaders.balanceByAccountId.load(parent.accountId);
      return own?.low_balance_threshold == null ? null : Number(own.low_balance_threshold);
    },
    autoTopUp: async (parent: { accountId: string }, _args: unknown, ctx: BillingContext) => {
      const own = await ctx.loaders.balanceByAccountId.load(parent.accountId);
      if (!own || own.auto_top_up_threshold === null || own.auto_top_up_units === null) return null;
      const methods = await ctx.loaders.paymentMethodsByAccountId.load(own.account_id);
      return {
        threshold: Number(own.auto_top_up_threshold),
        units: Number(own.auto_top_up_units),
        paymentMethod: methods.find((m) => (own.auto_top_up_payment_method_id ? m.id === own.auto_top_up_payment_method_id : m.is_default)) ?? null,
      };
    },
  },
};

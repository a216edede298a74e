import type { BillingContext } from '../context';
import { pageSize } from '../page-size';
import { topUpsOfAccount, type TopUpRow } from './store';

type ByAccount = { accountId: string };

export const resolvers = {
  Account: {
    topUps: (account: { id: string }, args: { first?: number | null }, ctx: BillingContext) => topUpsOfAccount(ctx.dataSource, account.id, pageSize(args.first)),
  },
  TopUp: {
    account: (row: TopUpRow) => ({ id: row.account_id }),
    units: (row: TopUpRow) => Number(row.units),
    declineReason: (row: TopUpRow) => row.decline_reason,
    paymentMethod: async (row: TopUpRow, _args: unknown, ctx: BillingContext) =>
      (await ctx.loaders.paymentMethodsByAccountId.load(row.account_id)).find((m) => m.id === row.payment_method_id) ?? null,
    createdAt: (row: TopUpRow) => new Date(row.created_at).toISOString(),
  },
  Mutation: {
    topUp: (_root: unknown, args: { input: { accountId: string; units: number; paymentMethodId?: string | null; idempotencyKey: string } }, ctx: BillingContext) =>
      ctx.accountTopUps.topUp(args.input),
    setAutoTopUp: async (_root: unknown, args: ByAccount & { threshold?: number | null; units?: number | null; paymentMethodId?: string | null }, ctx: BillingContext) => {
      await ctx.accountTopUps.setAutoTopUp(args.accountId, args.threshold, args.units, args.paymentMethodId);
      return { id: args.accountId.toLowerCase() };
    },
  },
};

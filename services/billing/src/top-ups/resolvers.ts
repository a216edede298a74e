import { withTotalCount } from '@platform/db';
import { assertId } from '@platform/errors';
import type { AccountResolvers, MutationResolvers, Resolvers, TopUpResolvers } from '../__generated__/resolvers-types';
import { timeIdPage } from '../page-size';

const Account: AccountResolvers = {
  topUps: async (account, args, ctx) => {
    const page = timeIdPage(args);
    return withTotalCount(await ctx.loaders.topUpPages.pages.for(page).load(account.id), () => ctx.loaders.topUpPages.counts.load(account.id));
  },
};

const TopUp: TopUpResolvers = {
  account: (row) => ({ id: row.account_id }),
  units: (row) => Number(row.units),
  declineReason: (row) => row.decline_reason,
  paymentMethod: async (row, _args, ctx) => (await ctx.loaders.paymentMethodsByAccountId.load(row.account_id)).find((m) => m.id === row.payment_method_id) ?? null,
  createdAt: (row) => row.created_at,
};

const Mutation: MutationResolvers = {
  topUp: (_root, args, ctx) => ctx.accountTopUps.topUp(args.input),
  setAutoTopUp: async (_root, args, ctx) => {
    const accountId = assertId(args.accountId, 'accountId');
    await ctx.accountTopUps.setAutoTopUp(accountId, args.threshold, args.units, args.paymentMethodId);
    return { id: accountId };
  },
};

export const resolvers: Resolvers = { Account, TopUp, Mutation };

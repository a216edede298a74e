import { assertId } from '@platform/errors';
import type { AccountResolvers, MutationResolvers, Resolvers, TopUpResolvers } from '../__generated__/resolvers-types';
import { pageSize } from '../page-size';
import { topUpsOfAccount } from './store';

const Account: AccountResolvers = {
  topUps: (account, args, ctx) => topUpsOfAccount(ctx.dataSource, account.id, pageSize(args.first)),
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

import { withTotalCount } from '@platform/db';
import type { AccountResolvers, MutationResolvers, Resolvers, TransferResolvers } from '../__generated__/resolvers-types';
import { timeIdPage } from '../page-size';
import { visibleAccount } from '../read-model';

const Account: AccountResolvers = {
  transfers: async (account, args, ctx) => {
    const page = timeIdPage(args);
    return withTotalCount(await ctx.loaders.transferPages.pages.for(page).load(account.id), () => ctx.loaders.transferPages.counts.load(account.id));
  },
};

const Transfer: TransferResolvers = {
  fromAccount: (row, _args, ctx) => visibleAccount(row.fromAccountId, ctx.access),
  toAccount: (row, _args, ctx) => visibleAccount(row.toAccountId, ctx.access),
  units: (row) => Number(row.units),
};

const Mutation: MutationResolvers = {
  transferBalance: (_root, args, ctx) => ctx.transfers.transfer('BALANCE', args.input),
  transferCredit: (_root, args, ctx) => ctx.transfers.transfer('CREDIT', args.input),
};

export const resolvers: Resolvers = { Account, Transfer, Mutation };

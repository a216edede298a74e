import type { AccountResolvers, MutationResolvers, Resolvers, TransferResolvers } from '../__generated__/resolvers-types';
import { pageSize } from '../page-size';
import { visibleAccount } from '../read-model';
import { transfersOfAccount } from './store';

const Account: AccountResolvers = {
  transfers: (account, args, ctx) => transfersOfAccount(ctx.dataSource, account.id, pageSize(args.first)),
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

import type { MutationResolvers, QueryResolvers, Resolvers } from '../__generated__/resolvers-types';
import { CustomerService } from './service';

const Query: QueryResolvers = {
  customers: (_root, args, ctx) => new CustomerService(ctx).list(args.filter, args),
};

const Mutation: MutationResolvers = {
  requestAccountClosure: (_root, args, ctx) => new CustomerService(ctx).requestClosure(args.accountId, args.reason),
  createCustomer: (_root, args, ctx) => new CustomerService(ctx).create(args.input),
  operatorSetAccountStatus: (_root, args, ctx) => new CustomerService(ctx).setStatus(args.input),
};

export const resolvers: Resolvers = {
  Query,
  Mutation,
  Account: {
    // A closure request is the business of the account's admins (system-configuration) and of the operator; null for anyone else.
    closureRequest: async (account, _args, ctx) =>
      ctx.access.isOperator || (await ctx.access.can(account.id, 'system-configuration')) ? ctx.loaders.closureRequestByAccountId.load(account.id) : null,
  },
};

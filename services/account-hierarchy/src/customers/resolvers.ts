import type { MutationResolvers, QueryResolvers, Resolvers } from '../__generated__/resolvers-types';
import { CustomerService } from './service';

const Query: QueryResolvers = {
  customers: (_root, args, ctx) => new CustomerService(ctx).list(args.filter, args),
};

const Mutation: MutationResolvers = {
  createCustomer: (_root, args, ctx) => new CustomerService(ctx).create(args.input),
  operatorSetAccountStatus: (_root, args, ctx) => new CustomerService(ctx).setStatus(args.input),
};

export const resolvers: Resolvers = { Query, Mutation };

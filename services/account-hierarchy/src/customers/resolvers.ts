import type { AccountStatus } from '@platform/authz';
import type { HierarchyContext } from '../context';
import { CustomerService } from './service';

export const resolvers = {
  Query: {
    customers: (_root: unknown, args: { filter?: { nameContains?: string | null; status?: AccountStatus | null } | null; first?: number | null; after?: string | null }, ctx: HierarchyContext) =>
      new CustomerService(ctx).list(args.filter, args),
  },
  Mutation: {
    createCustomer: (_root: unknown, args: { input: { name: string; timezone?: string | null } }, ctx: HierarchyContext) => new CustomerService(ctx).create(args.input),
    operatorSetAccountStatus: (_root: unknown, args: { input: { accountId: string; status: AccountStatus; reason: string; cascade?: boolean | null } }, ctx: HierarchyContext) =>
      new CustomerService(ctx).setStatus(args.input),
  },
};

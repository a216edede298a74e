import type { Resolvers } from '../__generated__/resolvers-types';
import { accountUsage, createUsageExport } from './service';

export const reportingResolvers: Resolvers = {
  Account: {
    usage: (account, args, ctx) => accountUsage(ctx, account.id, args),
  },
  UsageRow: {
    childAccount: (row) => (row.childAccountId ? { id: row.childAccountId } : null),
    user: (row) => (row.userId ? { id: row.userId } : null),
    sender: (row, _, ctx) => (row.senderId ? ctx.loaders.senderIdById.load(row.senderId) : null),
  },
  Mutation: {
    createUsageExport: (_, args, ctx) => createUsageExport(ctx, args),
  },
};

import { accountUsage, createUsageExport, type ReportingContext, type UsageArgs } from './service';
import type { UsageRow } from './store';

export const reportingResolvers = {
  Account: {
    usage: (account: { id: string }, args: UsageArgs, ctx: ReportingContext) => accountUsage(ctx, account.id, args),
  },
  UsageRow: {
    childAccount: (row: UsageRow) => (row.childAccountId ? { __typename: 'Account', id: row.childAccountId } : null),
  },
  Mutation: {
    createUsageExport: async (_parent: unknown, args: UsageArgs & { accountId: string }, ctx: ReportingContext) => {
      const { url, expiresAt } = await createUsageExport(ctx, args);
      return { url, expiresAt: expiresAt.toISOString() };
    },
  },
};

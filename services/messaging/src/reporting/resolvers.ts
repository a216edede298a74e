import type { DataSource } from 'typeorm';
import { appendActivity } from '@platform/audit';
import type { SubgraphRequestContext } from '@platform/server';
import { assertId } from '@platform/errors';
import { authorizeExport, signExportToken, USAGE_EXPORT_PATH } from './export';
import { reportScope } from './report-scope';
import type { UsageLoaders } from './usage-loader';
import { validateUsageArgs, type UsageRow } from './usage-query';

export interface ReportingContext extends SubgraphRequestContext {
  dataSource: DataSource;
  usage: UsageLoaders;
}

interface UsageArgs {
  from: string;
  to: string;
  groupBy?: string[] | null;
  includeDescendants?: boolean | null;
}

export const reportingResolvers = {
  Account: {
    usage: async (account: { id: string }, args: UsageArgs, ctx: ReportingContext) => {
      const range = validateUsageArgs(args);
      const { scope, ownUserId } = await reportScope(ctx.access, account.id);
      const includeDescendants = args.includeDescendants ?? true;
      const result = await ctx.usage.load(account.id, { ...range, includeDescendants, ownUserId });
      return { ...range, includeDescendants, scope, totals: result.totals, rows: result.rows };
    },
  },
  UsageRow: {
    childAccount: (row: UsageRow) => (row.childAccountId ? { __typename: 'Account', id: row.childAccountId } : null),
  },
  Mutation: {
    createUsageExport: async (
      _parent: unknown,
      args: { accountId: string; from: string; to: string; groupBy?: string[] | null; includeDescendants?: boolean | null },
      ctx: ReportingContext,
    ) => {
      const accountId = assertId(args.accountId, 'accountId');
      const { groupBy } = validateUsageArgs(args);
      const request = { accountId, from: args.from, to: args.to, groupBy, includeDescendants: args.includeDescendants ?? true };
      await authorizeExport(ctx.access, request);
      const chain = (await ctx.access.chains.load(accountId))!;
      const { token, expiresAt } = signExportToken(request, ctx.access.principal, ctx.config.internalSigningSecret);
      // An export hands data out of the platform: who exported what is recorded (SPEC I9).
      await ctx.dataSource.transaction((tx) =>
        appendActivity(tx, 'messaging', {
          principal: ctx.principal,
          treeId: chain.rootId,
          targetAccountPath: chain.path,
          action: 'createUsageExport',
          targetType: 'UsageExport',
          targetId: null,
          before: null,
          after: { from: request.from, to: request.to, groupBy: request.groupBy, includeDescendants: request.includeDescendants },
        }),
      );
      return { url: `${USAGE_EXPORT_PATH}?token=${token}`, expiresAt: expiresAt.toISOString() };
    },
  },
};

import { allow, canOnAccount, canViewParentAccount } from '@platform/authz';

/** Shield rules of the reporting fields; the resolvers narrow further (reports / reports.own scope). */
export const reportingPermissions = {
  Account: { usage: canViewParentAccount },
  AccountUsage: allow,
  UsageTotals: allow,
  UsageRow: allow,
  UsageExport: allow,
  Mutation: { createUsageExport: canOnAccount('reports-export', (_parent, args) => args.accountId) },
};

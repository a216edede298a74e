import { errors } from '@platform/errors';
import type { HierarchyContext } from '../context';
import type { AccountRow } from '../repositories/account-repository';
import { decodeCursor } from '../account-service';

const MAX_PAGE = 10_000;

export const Account = {
  __resolveReference: (reference: { id: string }, ctx: HierarchyContext) => ctx.loaders.accountById.load(reference.id),
  createdAt: (account: AccountRow) => account.created_at.toISOString(),
  effectiveStatus: async (account: AccountRow, _args: unknown, ctx: HierarchyContext) =>
    (await ctx.access.chains.load(account.id))?.chainStatus ?? account.status,
  parent: async (account: AccountRow, _args: unknown, ctx: HierarchyContext) => {
    if (!account.parent_id || !(await ctx.access.canView(account.parent_id))) return null;
    return ctx.loaders.accountById.load(account.parent_id);
  },
  children: (account: AccountRow, _args: unknown, ctx: HierarchyContext) => ctx.loaders.childrenByParentId.load(account.id),
  ancestors: async (account: AccountRow, _args: unknown, ctx: HierarchyContext) => {
    const ancestorIds = account.path.slice(0, -1);
    const visible = await Promise.all(ancestorIds.map((id) => ctx.access.canView(id)));
    const rows = await ctx.loaders.accountById.loadMany(ancestorIds.filter((_, i) => visible[i]));
    return rows.filter((row): row is AccountRow => row !== null && !(row instanceof Error));
  },
  descendants: async (
    account: AccountRow,
    args: { maxDepth?: number | null; first?: number | null; after?: string | null },
    ctx: HierarchyContext,
  ) => {
    if (args.maxDepth != null && args.maxDepth < 1) throw errors.badInput('maxDepth must be at least 1', 'maxDepth');
    if (args.first != null && (args.first < 1 || args.first > MAX_PAGE)) {
      throw errors.badInput(`first must be between 1 and ${MAX_PAGE}`, 'first');
    }
    const rows = await ctx.accounts.findSubtrees([account.id], {
      minDepth: account.depth + 1,
      maxDepth: args.maxDepth != null ? account.depth + args.maxDepth : undefined,
      limit: args.first ?? MAX_PAGE,
      after: args.after ? decodeCursor(args.after) : undefined,
    });
    ctx.loaders.prime(rows, await ctx.access.chains.load(account.id));
    return rows;
  },
  settings: async (account: AccountRow, _args: unknown, ctx: HierarchyContext) => ctx.loaders.settingsByAccountId.load(account.id),
};

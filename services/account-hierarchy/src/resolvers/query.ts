import { assertId, errors } from '@platform/errors';
import type { HierarchyContext } from '../context';

export const Query = {
  account: async (_root: unknown, args: { id: string }, ctx: HierarchyContext) => {
    await ctx.access.require(assertId(args.id), 'account.view');
    return ctx.loaders.accountById.load(args.id.toLowerCase());
  },

  accountTree: async (_root: unknown, args: { rootId?: string | null }, ctx: HierarchyContext) => {
    let rootIds: string[];
    if (args.rootId) {
      rootIds = [(await ctx.access.require(assertId(args.rootId, 'rootId'), 'account.view')).id];
    } else if (ctx.principal.actingAccountId && (await ctx.access.canView(ctx.principal.actingAccountId))) {
      rootIds = [ctx.principal.actingAccountId];
    } else {
      rootIds = await ctx.access.visibleRoots();
    }
    if (rootIds.length === 0) {
      if (!ctx.access.isAuthenticated) throw errors.unauthenticated();
      return [];
    }
    const rootChains = await ctx.access.chains.loadMany(rootIds);
    const rows = await ctx.accounts.findSubtrees(rootIds);
    for (const chain of rootChains) {
      if (chain && !(chain instanceof Error)) {
        ctx.loaders.prime(rows.filter((r) => r.path.includes(chain.id)), chain);
      }
    }
    return rows;
  },
};

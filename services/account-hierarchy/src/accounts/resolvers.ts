import { decodeCursor } from '@platform/db';
import { assertId, errors } from '@platform/errors';
import { DateTimeScalar } from '@platform/server';
import type { AccountResolvers, MutationResolvers, QueryResolvers, Resolvers } from '../__generated__/resolvers-types';
import type { HierarchyContext } from '../context';
import { AccountService } from './service';
import type { AccountRow } from './store';

const MAX_PAGE = 10_000;

/** The roots of `accountTree`: the given root, else the acting account, else every visible root. */
async function treeRootIds(ctx: HierarchyContext, rootId: string | null | undefined): Promise<string[]> {
  if (rootId) return [(await ctx.access.require(assertId(rootId, 'rootId'), 'account.view')).id];
  if (ctx.principal.actingAccountId && (await ctx.access.canView(ctx.principal.actingAccountId))) return [ctx.principal.actingAccountId];
  return ctx.access.visibleRoots();
}

/** The `after` of `descendants`: the (depth, name, id) of the last account of the previous page. */
function descendantsAfter(cursor: string): { depth: number; name: string; id: string } {
  const [depth, name, id] = decodeCursor(cursor, ['number', 'string', 'string'], 'after');
  return { depth, name, id: assertId(id, 'after') };
}

const Query: QueryResolvers = {
  account: async (_root, args, ctx) => {
    const id = assertId(args.id);
    await ctx.access.require(id, 'account.view');
    return ctx.loaders.accountById.load(id);
  },

  accountTree: async (_root, args, ctx) => {
    const rootIds = await treeRootIds(ctx, args.rootId);
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

const Mutation: MutationResolvers = {
  createSubAccount: (_root, args, ctx) =>
    new AccountService(ctx).createSubAccount(args.input),
  moveAccount: (_root, args, ctx) =>
    new AccountService(ctx).moveAccount(args.id, args.newParentId),
  closeAccount: (_root, args, ctx) =>
    new AccountService(ctx).closeAccount(args.id, args.cascade ?? false),
  suspendAccount: (_root, args, ctx) => new AccountService(ctx).setSuspended(args.id, true),
  resumeAccount: (_root, args, ctx) => new AccountService(ctx).setSuspended(args.id, false),
};

const Account: AccountResolvers = {
  __resolveReference: (reference, ctx) => ctx.loaders.accountById.load(reference.id),
  effectiveStatus: async (account, _args, ctx) =>
    (await ctx.access.chains.load(account.id))?.chainStatus ?? account.status,
  parent: async (account, _args, ctx) => {
    if (!account.parentId || !(await ctx.access.canView(account.parentId))) return null;
    return ctx.loaders.accountById.load(account.parentId);
  },
  children: (account, _args, ctx) => ctx.loaders.childrenByParentId.load(account.id),
  ancestors: async (account, _args, ctx) => {
    const ancestorIds = account.path.slice(0, -1);
    const visible = await Promise.all(ancestorIds.map((id) => ctx.access.canView(id)));
    const rows = await ctx.loaders.accountById.loadMany(ancestorIds.filter((_, i) => visible[i]));
    return rows.filter((row): row is AccountRow => row !== null && !(row instanceof Error));
  },
  descendants: async (account, args, ctx) => {
    if (args.maxDepth != null && args.maxDepth < 1) throw errors.badInput('maxDepth must be at least 1', 'maxDepth');
    if (args.first != null && (args.first < 1 || args.first > MAX_PAGE)) {
      throw errors.badInput(`first must be between 1 and ${MAX_PAGE}`, 'first');
    }
    const rows = await ctx.accounts.findSubtrees([account.id], {
      minDepth: account.depth + 1,
      maxDepth: args.maxDepth != null ? account.depth + args.maxDepth : undefined,
      limit: args.first ?? MAX_PAGE,
      after: args.after ? descendantsAfter(args.after) : undefined,
    });
    ctx.loaders.prime(rows, await ctx.access.chains.load(account.id));
    return rows;
  },
};

export const resolvers: Resolvers = { DateTime: DateTimeScalar, Query, Mutation, Account };

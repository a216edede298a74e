import { assertCursorEndsWithId, pageRequest, toConnection, withTotalCount, type PageArguments } from '@platform/db';
import { assertId, errors } from '@platform/errors';
import { DateTimeScalar, requestedFields } from '@platform/server';
import type { AccountFilter, AccountResolvers, MutationResolvers, QueryResolvers, Resolvers } from '../__generated__/resolvers-types';
import type { HierarchyContext } from '../context';
import { AccountService } from './service';
import { MAX_DEPTH, type AccountListFilter, type AccountRow } from './store';

/** Page sizes of every list of accounts (accounts, children, descendants). */
const ACCOUNT_PAGE = { defaultSize: 50, maxSize: 500 } as const;

/** A page of a tree list, keyed on (depth, name, id). */
const treePage = (args: PageArguments) => assertCursorEndsWithId(pageRequest(args, { ...ACCOUNT_PAGE, keyShape: ['number', 'string', 'string'] }));
/** A page of children, keyed on (name, id). */
const childPage = (args: PageArguments) => assertCursorEndsWithId(pageRequest(args, { ...ACCOUNT_PAGE, keyShape: ['string', 'string'] }));

function accountFilter(filter: AccountFilter | null | undefined): AccountListFilter {
  const depth = (value: number | null | undefined, field: string) => {
    if (value != null && (value < 0 || value > MAX_DEPTH)) throw errors.badInput(`${field} must be between 0 and ${MAX_DEPTH}`, field);
    return value ?? null;
  };
  if (filter?.nameContains != null && filter.nameContains.length > 200) throw errors.badInput('nameContains is at most 200 characters', 'filter.nameContains');
  return { nameContains: filter?.nameContains || null, status: filter?.status ?? null, depth: depth(filter?.depth, 'filter.depth'), maxDepth: depth(filter?.maxDepth, 'filter.maxDepth') };
}

/** The roots of `accountTree`: the given root, else the acting account, else every visible root. */
async function treeRootIds(ctx: HierarchyContext, rootId: string | null | undefined): Promise<string[]> {
  if (rootId) return [(await ctx.access.require(assertId(rootId, 'rootId'), 'account.view')).id];
  if (ctx.principal.actingAccountId && (await ctx.access.canView(ctx.principal.actingAccountId))) return [ctx.principal.actingAccountId];
  return ctx.access.visibleRoots();
}

/** Fields a tree can be answered with from the accounts' ids and names alone (AccountStore.findSubtreeNames). */
const NAME_FIELDS = new Set(['__typename', 'id', 'name']);

/** A row whose account the caller was just found to see: its fields need no further check. */
function visible(ctx: HierarchyContext, row: AccountRow | null): AccountRow | null {
  if (row) ctx.access.markVisible([row]);
  return row;
}

const Query: QueryResolvers = {
  account: async (_root, args, ctx) => {
    const id = assertId(args.id);
    await ctx.access.require(id, 'account.view');
    return visible(ctx, await ctx.loaders.accountById.load(id));
  },

  accountTree: async (_root, args, ctx, info) => {
    const rootIds = await treeRootIds(ctx, args.rootId);
    if (rootIds.length === 0) {
      if (!ctx.access.isAuthenticated) throw errors.unauthenticated();
      return [];
    }
    if ([...requestedFields(info, 'Account')].every((field) => NAME_FIELDS.has(field))) {
      // Nothing but these fields is resolved on these objects, and they are not primed (no other
      // resolver of the request may take them for whole rows): only marked visible.
      const accounts = await ctx.accounts.findSubtreeNames(rootIds);
      ctx.access.markVisible(accounts);
      return accounts as AccountRow[];
    }
    const rootChains = await ctx.access.chains.loadMany(rootIds);
    const rows = await ctx.accounts.findSubtrees(rootIds);
    for (const chain of rootChains) {
      if (chain && !(chain instanceof Error)) {
        // One root: every row hangs under it (findSubtrees' condition).
        ctx.loaders.prime(rootIds.length === 1 ? rows : rows.filter((r) => r.path.includes(chain.id)), chain);
      }
    }
    return rows;
  },

  accounts: async (_root, args, ctx) => {
    const filter = accountFilter(args.filter);
    const page = treePage(args);
    const rootIds = await treeRootIds(ctx, args.rootId);
    if (rootIds.length === 0) {
      if (!ctx.access.isAuthenticated) throw errors.unauthenticated();
      return withTotalCount(toConnection([], page, () => []), async () => 0);
    }
    const rows = await ctx.accounts.findSubtreePage(rootIds, filter, page);
    const rootChains = await ctx.access.chains.loadMany(rootIds);
    for (const chain of rootChains) {
      if (chain && !(chain instanceof Error)) ctx.loaders.prime(rows.filter((row) => row.path.includes(chain.id)), chain);
    }
    return withTotalCount(
      toConnection(rows, page, (row) => [row.depth, row.name, row.id]),
      () => ctx.accounts.countSubtree(rootIds, filter),
    );
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
    return visible(ctx, await ctx.loaders.accountById.load(account.parentId));
  },
  children: async (account, args, ctx) => {
    const filter = accountFilter(args.filter);
    const page = childPage(args);
    const connection = await ctx.loaders.childPages.for({ filter, page }).load(account.id);
    return withTotalCount(connection, () => ctx.loaders.childCounts.for(filter).load(account.id));
  },
  // The same (empty) filter as children without one: the counts are read once for both.
  childCount: (account, _args, ctx) => ctx.loaders.childCounts.for(accountFilter(null)).load(account.id),
  hasChildren: async (account, _args, ctx) => (await ctx.loaders.childCounts.for(accountFilter(null)).load(account.id)) > 0,
  ancestors: async (account, _args, ctx) => {
    const ancestorIds = account.path.slice(0, -1);
    const visible = await Promise.all(ancestorIds.map((id) => ctx.access.canView(id)));
    const rows = await ctx.loaders.accountById.loadMany(ancestorIds.filter((_, i) => visible[i]));
    const found = rows.filter((row): row is AccountRow => row !== null && !(row instanceof Error));
    ctx.access.markVisible(found);
    return found;
  },
  descendants: async (account, args, ctx) => {
    if (args.maxDepth != null && args.maxDepth < 1) throw errors.badInput('maxDepth must be at least 1', 'maxDepth');
    const page = treePage(args);
    const maxLevels = args.maxDepth ?? null;
    const connection = await ctx.loaders.descendantPages.for({ maxLevels, page }).load(account.id);
    return withTotalCount(connection, () => ctx.loaders.descendantCounts.for(maxLevels).load(account.id));
  },
};

export const resolvers: Resolvers = { DateTime: DateTimeScalar, Query, Mutation, Account };

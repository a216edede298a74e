import DataLoader from 'dataloader';
import type { AccessControl, AccountChain } from '@platform/authz';
import { byKey, LoaderPerArguments, toConnections, type Connection, type PageRequest } from '@platform/db';
import { isUuid } from '@platform/errors';
import type { AccountListFilter, AccountStore, AccountRow, ChildPageKey, TreePageKey } from './store';

export interface AccountLoaders {
  accountById: DataLoader<string, AccountRow | null>;
  /** A page of each parent's children: one statement per distinct (filter, page) in a request. */
  childPages: LoaderPerArguments<{ filter: AccountListFilter; page: PageRequest<ChildPageKey> }, DataLoader<string, Connection<AccountRow>>>;
  /** How many children of each parent match a filter: one statement per distinct filter. */
  childCounts: LoaderPerArguments<AccountListFilter, DataLoader<string, number>>;
  /** A page of each account's descendants (down to maxLevels below it): one statement per distinct (maxLevels, page). */
  descendantPages: LoaderPerArguments<{ maxLevels: number | null; page: PageRequest<TreePageKey> }, DataLoader<string, Connection<AccountRow>>>;
  descendantCounts: LoaderPerArguments<number | null, DataLoader<string, number>>;
  /** Remembers rows loaded by list queries so later field resolvers and authz checks reuse them. */
  prime(rows: AccountRow[], chainOfRoot?: AccountChain | null): void;
  /** Forgets the rows prime remembered (after a change to the tree). */
  forgetPrimed(): void;
}

/** Per-request loaders: each batches all keys of one tick into one SQL statement. */
export function createAccountLoaders(store: AccountStore, access: AccessControl): AccountLoaders {
  // Rows a list query read (and the chains of the lists' roots). Looked up when asked for rather
  // than primed into the loaders: a 10,000-account tree would otherwise cost 20,000 cached promises
  // and 10,000 chains per request, for fields that seldom ask for them.
  // Indexed by id when first looked up (a listed tree's rows are seldom looked up at all).
  const primedLists: AccountRow[][] = [];
  const primedById = new Map<string, AccountRow>();
  const primedRows = {
    get(id: string): AccountRow | undefined {
      for (const rows of primedLists) for (const row of rows) primedById.set(row.id, row);
      primedLists.length = 0;
      return primedById.get(id);
    },
  };
  const primedChains = new Map<string, AccountChain>();

  /** The chain of a primed row, from its parent's (most restrictive status wins); undefined when its list's root is not known. */
  function primedChain(id: string): AccountChain | undefined {
    const known = primedChains.get(id);
    if (known) return known;
    const row = primedRows.get(id);
    const parentChain = row?.parentId ? primedChain(row.parentId) : undefined;
    if (!row || !parentChain) return undefined;
    const chain = chainBelow(parentChain, row);
    primedChains.set(id, chain);
    return chain;
  }
  access.useKnownChains(primedChain);

  const accountById = new DataLoader<string, AccountRow | null>(async (ids) => {
    const keys = ids.map((id) => id.toLowerCase());
    const missing = keys.filter((id) => !primedRows.get(id) && isUuid(id));
    const rows = missing.length ? await store.findByIds(missing) : [];
    const found = byKey(keys, rows, (row) => row.id);
    return keys.map((id, i) => primedRows.get(id) ?? found[i]);
  });

  const childPages = new LoaderPerArguments(({ filter, page }: { filter: AccountListFilter; page: PageRequest<ChildPageKey> }) =>
    new DataLoader<string, Connection<AccountRow>>(async (parentIds) => {
      const rows = await store.findChildPages(parentIds, filter, page);
      // The parents were authorized before their children are asked for: their chains are cached.
      const parentChains = await access.chains.loadMany(parentIds);
      const connections = toConnections(parentIds, rows, (row) => row.parentId!, page, (row) => [row.name, row.id]);
      connections.forEach((connection, index) => {
        const chain = parentChains[index];
        prime(connection.nodes, chain && !(chain instanceof Error) ? chain : undefined);
      });
      return connections;
    }),
  );

  const descendantPages = new LoaderPerArguments(({ maxLevels, page }: { maxLevels: number | null; page: PageRequest<TreePageKey> }) =>
    new DataLoader<string, Connection<AccountRow>>(async (accountIds) => {
      const rows = await store.findDescendantPages(accountIds, maxLevels, page);
      const chains = await access.chains.loadMany(accountIds);
      const connections = toConnections(accountIds, rows, (row) => row.pageOwnerId, page, (row) => [row.depth, row.name, row.id]);
      connections.forEach((connection, index) => {
        const chain = chains[index];
        prime(connection.nodes, chain && !(chain instanceof Error) ? chain : undefined);
      });
      return connections;
    }),
  );

  const descendantCounts = new LoaderPerArguments((maxLevels: number | null) =>
    new DataLoader<string, number>(async (accountIds) => byKey(accountIds, await store.countDescendants(accountIds, maxLevels), (row) => row.parentId).map((row) => row?.count ?? 0)),
  );

  const childCounts = new LoaderPerArguments((filter: AccountListFilter) =>
    new DataLoader<string, number>(async (parentIds) => {
      const counts = byKey(parentIds, await store.countChildren(parentIds, filter), (row) => row.parentId);
      return counts.map((row) => row?.count ?? 0);
    }),
  );

  /**
   * Remembers the rows of a subtree listed in parent-before-child order; their chains (and chain
   * statuses) follow from the parents', so no per-row query is needed. The rows hang under an
   * account the caller may view (the root of a tree list, the parent of a page): the caller may view
   * them too.
   */
  function prime(rows: AccountRow[], chainOfRoot?: AccountChain | null): void {
    access.markVisible(rows);
    if (chainOfRoot) primedChains.set(chainOfRoot.id, chainOfRoot);
    primedLists.push(rows);
  }

  function forgetPrimed(): void {
    primedLists.length = 0;
    primedById.clear();
    primedChains.clear();
  }

  return { accountById, childPages, childCounts, descendantPages, descendantCounts, prime, forgetPrimed };
}

/** The chain of `row` under its parent's chain (null for a root): the most restrictive status wins. */
export function chainBelow(parentChain: AccountChain | null, row: AccountRow): AccountChain {
  const parentStatus = parentChain?.chainStatus ?? 'ACTIVE';
  const chainStatus =
    parentStatus === 'CLOSED' || row.status === 'CLOSED' ? 'CLOSED' : parentStatus === 'SUSPENDED' || row.status === 'SUSPENDED' ? 'SUSPENDED' : 'ACTIVE';
  return {
    id: row.id,
    rootId: row.rootId,
    parentId: row.parentId,
    path: row.path,
    depth: row.depth,
    status: row.status,
    chainStatus,
    suspendedFromDepth: parentChain?.suspendedFromDepth ?? (row.status === 'SUSPENDED' ? row.depth : null),
  };
}

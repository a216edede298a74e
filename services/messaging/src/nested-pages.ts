import DataLoader from 'dataloader';
import type { CursorKey, PageRequest } from '@platform/db';

type AnyLoader = DataLoader<unknown, unknown[]>;
const loadersOfRequest = new WeakMap<object, Map<string, AnyLoader>>();

/**
 * The request's loader of one page of a nested list (a conversation's messages, a rule's firings,
 * an endpoint's deliveries, a delivery's attempts) for every parent asking for the same page: one
 * statement per distinct page, whatever the number of parents. `scope` names the list and whatever
 * else the statement depends on (e.g. the reader's scope).
 */
export function nestedPageLoader<TParent, TRow>(
  request: object,
  scope: readonly unknown[],
  page: PageRequest<CursorKey>,
  idOf: (parent: TParent) => string,
  /** each parent's page, in the parents' order */
  loadPages: (parents: readonly TParent[]) => Promise<TRow[][]>,
): DataLoader<TParent, TRow[]> {
  let loaders = loadersOfRequest.get(request);
  if (!loaders) loadersOfRequest.set(request, (loaders = new Map()));
  const key = JSON.stringify([scope, page]);
  let loader = loaders.get(key) as DataLoader<TParent, TRow[]> | undefined;
  if (!loader) {
    loader = new DataLoader<TParent, TRow[], string>(
      (parents) => loadPages(parents),
      { cacheKeyFn: idOf },
    );
    loaders.set(key, loader as AnyLoader);
  }
  return loader;
}

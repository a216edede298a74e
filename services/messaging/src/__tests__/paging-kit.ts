import type { TestStack } from '@platform/platform/testing';
import { expectNoErrors } from '@platform/testing';

/** What a test reads of a connection: the ids of its edges and its page information. */
export interface Page {
  edges: { cursor: string; node: { id: string } }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

/** A list as a client pages it: the connection of one request, for the paging arguments given. */
export type FetchPage = (paging: { first?: number; after?: string | null; last?: number; before?: string | null }) => Promise<Page>;

/** A connection read through the gateway: `pick` finds it in the answer's data. */
export function pagesOf(stack: TestStack, token: string, document: string, variables: Record<string, unknown>, pick: (data: any) => Page): FetchPage { // eslint-disable-line @typescript-eslint/no-explicit-any
  return async (paging) => pick(expectNoErrors(await stack.graphql(document, { ...variables, ...paging }, token)));
}

/**
 * The ids a client collects paging forward from the start with `first: size` after each page's
 * endCursor, until hasNextPage is false (or `limit` ids). Every edge's cursor must differ from the others'.
 */
export async function pageForward(fetch: FetchPage, size: number, limit = Infinity): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await fetch({ first: size, after });
    ids.push(...page.edges.map((edge) => edge.node.id));
    if (page.edges.length > 0 && page.pageInfo.endCursor !== page.edges[page.edges.length - 1].cursor) throw new Error('endCursor is not the last edge’s cursor');
    if (!page.pageInfo.hasNextPage || ids.length >= limit) return ids;
    if (page.edges.length === 0) throw new Error('an empty page says it has a next page');
    after = page.pageInfo.endCursor;
  }
}

/** The ids a client collects paging backward from the end with `last: size` before each page's startCursor, in the list's order. */
export async function pageBackward(fetch: FetchPage, size: number, limit = Infinity): Promise<string[]> {
  const pages: string[][] = [];
  let count = 0;
  let before: string | null = null;
  for (;;) {
    const page = await fetch({ last: size, before });
    pages.unshift(page.edges.map((edge) => edge.node.id));
    count += page.edges.length;
    if (page.edges.length > 0 && page.pageInfo.startCursor !== page.edges[0].cursor) throw new Error('startCursor is not the first edge’s cursor');
    if (!page.pageInfo.hasPreviousPage || count >= limit) return pages.flat();
    if (page.edges.length === 0) throw new Error('an empty page says it has a previous page');
    before = page.pageInfo.startCursor;
  }
}

/** PostgreSQL's order of uuids (bytewise), for expectations computed in the test. */
export const byUuid = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

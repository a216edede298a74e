import type { GraphQLResponse } from '@platform/testing';

export interface PageShape<TNode> {
  edges: { cursor: string; node: TNode }[];
  nodes: TNode[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount?: number;
}

/**
 * Reads a whole list the way a client does: `first: pageSize`, then `after: endCursor` while
 * `hasNextPage`. Fails on any error, and when a page breaks the Relay contract (edges and nodes
 * disagree, start/end cursors are not the page's edge cursors, a short page says more follow).
 * Returns every node in the order read, the number of requests and the first page's totalCount.
 */
export async function pageThrough<TData, TNode>(
  ask: (variables: { first: number; after: string | null }) => Promise<GraphQLResponse<TData>>,
  connectionOf: (data: TData) => PageShape<TNode> | null | undefined,
  pageSize: number,
  options: { maxPages?: number } = {},
): Promise<{ nodes: TNode[]; pages: number; totalCount?: number }> {
  const nodes: TNode[] = [];
  let after: string | null = null;
  let totalCount: number | undefined;
  for (let pages = 1; pages <= (options.maxPages ?? 20_000); pages++) {
    const response = await ask({ first: pageSize, after });
    if (response.errors?.length || !response.data) throw new Error(`page ${pages} failed: ${JSON.stringify(response.errors)}`);
    const connection = connectionOf(response.data);
    if (!connection) throw new Error(`page ${pages} has no connection: ${JSON.stringify(response.data)}`);
    if (connection.edges.length !== connection.nodes.length || connection.edges.length > pageSize) throw new Error(`page ${pages} has ${connection.edges.length} edges and ${connection.nodes.length} nodes`);
    if (connection.edges.some((edge, index) => JSON.stringify(edge.node) !== JSON.stringify(connection.nodes[index]))) throw new Error(`page ${pages}: edges and nodes disagree`);
    if (connection.pageInfo.startCursor !== (connection.edges[0]?.cursor ?? null) || connection.pageInfo.endCursor !== (connection.edges.at(-1)?.cursor ?? null)) {
      throw new Error(`page ${pages}: startCursor/endCursor are not the page's edge cursors`);
    }
    if (connection.pageInfo.hasPreviousPage !== (after !== null)) throw new Error(`page ${pages}: hasPreviousPage is ${connection.pageInfo.hasPreviousPage}`);
    totalCount ??= connection.totalCount;
    nodes.push(...connection.nodes);
    if (!connection.pageInfo.hasNextPage) return { nodes, pages, totalCount };
    if (connection.edges.length !== pageSize) throw new Error(`page ${pages} is short (${connection.edges.length}) but says a next page exists`);
    after = connection.pageInfo.endCursor;
  }
  throw new Error('too many pages');
}

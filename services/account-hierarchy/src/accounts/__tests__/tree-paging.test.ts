import { encodeCursor } from '@platform/db';
import { demoAccount, demoUser } from '@platform/demo-data';
import { pageThrough, startTestStack, type TestStack } from '@platform/platform/testing';
import { expectError, expectNoErrors, typedDocument } from '@platform/testing';
import { insertAccountTree, type GeneratedTree } from '../generated-tree';

interface Row {
  id: string;
  name: string;
  depth: number;
}
type Page = { edges: { cursor: string; node: Row }[]; nodes: Row[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null }; totalCount: number };

const PAGE_FIELDS = `edges { cursor node { id name depth } } nodes { id name depth } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount`;

const ACCOUNTS = typedDocument<{ accounts: Page }, { rootId?: string; filter?: Record<string, unknown>; first?: number; after?: string | null }>(
  `query Accounts($rootId: ID, $filter: AccountFilter, $first: Int, $after: String) { accounts(rootId: $rootId, filter: $filter, first: $first, after: $after) { ${PAGE_FIELDS} } }`,
);
const CHILDREN = typedDocument<{ account: { childCount: number; hasChildren: boolean; children: Page } }, { id: string; first?: number; after?: string | null }>(
  `query Children($id: ID!, $first: Int, $after: String) { account(id: $id) { childCount hasChildren children(first: $first, after: $after) { ${PAGE_FIELDS} } } }`,
);

describe('reading a 10,000-account tree lazily, as a web client does (issue 14 items 1, 2)', () => {
  let stack: TestStack;
  let admin: string;
  let tree: GeneratedTree;
  let twins: GeneratedTree;

  beforeAll(async () => {
    stack = await startTestStack();
    // 1 + 10 + 100 + 1,000 + 8,889 accounts at depths 0 to 4
    tree = await insertAccountTree(stack.sql, { size: 10_000, fanout: 10, name: 'Big' });
    // 60 children that all share one name and (one statement) one created_at: ties the keyset must break
    twins = await insertAccountTree(stack.sql, { size: 61, fanout: 60, name: 'Twins', childName: () => 'Same name' });
    for (const rootId of [tree.rootId, twins.rootId]) {
      await stack.sql.query(`INSERT INTO identity.memberships (user_id, account_id, role) VALUES ($1, $2, 'ADMIN')`, [demoUser('hq-admin').id, rootId]);
    }
    admin = await stack.login('hq.admin@retail.example');
  });
  afterAll(() => stack.close());

  async function expectedIds(where: string, parameters: unknown[]): Promise<string[]> {
    const rows = await stack.sql.query(`SELECT id FROM hierarchy.accounts WHERE ${where} ORDER BY depth, name, id`, parameters);
    return rows.rows.map((row) => row.id);
  }

  it('renders the first levels, then the children of an expanded account, with their counts', async () => {
    // Act
    const firstLevels = expectNoErrors(await stack.graphql(ACCOUNTS, { rootId: tree.rootId, filter: { maxDepth: 1 }, first: 50 }, admin));
    const expanded = firstLevels.accounts.nodes[1];
    const children = expectNoErrors(await stack.graphql(CHILDREN, { id: expanded.id, first: 7 }, admin));
    const leaf = await stack.sql.query(`SELECT id FROM hierarchy.accounts WHERE path[1] = $1 AND depth = 4 LIMIT 1`, [tree.rootId]);
    const leafChildren = expectNoErrors(await stack.graphql(CHILDREN, { id: leaf.rows[0].id }, admin));

    // Assert
    expect(firstLevels.accounts.nodes.map((a) => a.depth)).toEqual([0, ...Array(10).fill(1)]);
    expect(firstLevels.accounts.totalCount).toBe(11);
    expect(firstLevels.accounts.pageInfo.hasNextPage).toBe(false);
    expect(children.account).toMatchObject({ childCount: 10, hasChildren: true, children: { totalCount: 10, pageInfo: { hasNextPage: true, hasPreviousPage: false } } });
    const expectedChildren = await stack.sql.query(`SELECT id FROM hierarchy.accounts WHERE parent_id = $1 ORDER BY name, id LIMIT 7`, [expanded.id]);
    expect(children.account.children.nodes.map((a) => a.id)).toEqual(expectedChildren.rows.map((row) => row.id));
    expect(leafChildren.account).toMatchObject({ childCount: 0, hasChildren: false, children: { totalCount: 0, nodes: [], pageInfo: { hasNextPage: false, startCursor: null, endCursor: null } } });
  });

  it.each([1, 7, 100])('pages through the children of an account with %i per page, ties in name and created_at included: each child exactly once', async (pageSize) => {
    // Act
    const read = await pageThrough((page) => stack.graphql(CHILDREN, { id: twins.rootId, ...page }, admin), (data) => data.account.children, pageSize);

    // Assert
    const expected = await stack.sql.query(`SELECT id FROM hierarchy.accounts WHERE parent_id = $1 ORDER BY name, id`, [twins.rootId]);
    expect(read.nodes.map((a) => a.id)).toEqual(expected.rows.map((row) => row.id));
    expect(read.totalCount).toBe(60);
    expect(read.pages).toBe(Math.ceil(60 / pageSize));
  });

  it.each([1, 7, 100])('pages through the first three levels with %i per page, parents before children: each account exactly once', async (pageSize) => {
    // Act
    const read = await pageThrough((page) => stack.graphql(ACCOUNTS, { rootId: tree.rootId, filter: { maxDepth: 2 }, ...page }, admin), (data) => data.accounts, pageSize);

    // Assert
    expect(read.nodes.map((a) => a.id)).toEqual(await expectedIds('path[1] = $1 AND depth <= 2', [tree.rootId]));
    expect(read.totalCount).toBe(111);
  });

  it('pages through all 10,000 accounts, 500 at a time, each exactly once', async () => {
    // Act
    const read = await pageThrough((page) => stack.graphql(ACCOUNTS, { rootId: tree.rootId, ...page }, admin), (data) => data.accounts, 500);

    // Assert
    expect(read.pages).toBe(20);
    expect(read.totalCount).toBe(10_000);
    expect(read.nodes.map((a) => a.id)).toEqual(await expectedIds('path[1] = $1', [tree.rootId]));
  });

  it('searches by name, status and depth, and shows each hit with its breadcrumb', async () => {
    // Arrange: close one account of the hits
    const hit = await stack.sql.query(`SELECT id FROM hierarchy.accounts WHERE name = 'Big.3.7.2'`);
    await stack.sql.query(`UPDATE hierarchy.accounts SET status = 'CLOSED' WHERE id = $1`, [hit.rows[0].id]);
    const search = typedDocument<{ accounts: { totalCount: number; nodes: { name: string; status: string; ancestors: { name: string }[] }[] } }, { filter: Record<string, unknown> }>(
      `query Search($filter: AccountFilter) { accounts(filter: $filter, first: 100) { totalCount nodes { name status ancestors { name } } } }`,
    );
    const acting = await stack.login('hq.admin@retail.example', { accountId: tree.rootId });

    // Act
    const byName = expectNoErrors(await stack.graphql(search, { filter: { nameContains: 'g.3.7.' } }, acting));
    const byNameAndDepth = expectNoErrors(await stack.graphql(search, { filter: { nameContains: 'G.3.7', depth: 3 } }, acting));
    const closed = expectNoErrors(await stack.graphql(search, { filter: { status: 'CLOSED' } }, acting));
    const literal = expectNoErrors(await stack.graphql(search, { filter: { nameContains: '%' } }, acting));

    // Assert: Big.3.7.1 to Big.3.7.10 (depth 3) and their 100 children (depth 4)
    expect(byName.accounts.totalCount).toBe(110);
    const expectedHits = await stack.sql.query(`SELECT name FROM hierarchy.accounts WHERE name LIKE 'Big.3.7._%' AND depth = 3 ORDER BY name, id`);
    expect(expectedHits.rows).toHaveLength(10);
    expect(byNameAndDepth.accounts.nodes.map((a) => a.name)).toEqual(expectedHits.rows.map((row) => row.name));
    expect(byNameAndDepth.accounts.nodes[0].ancestors.map((a) => a.name)).toEqual(['Big', 'Big.3', 'Big.3.7']);
    expect(closed.accounts.nodes).toEqual([{ name: 'Big.3.7.2', status: 'CLOSED', ancestors: [{ name: 'Big' }, { name: 'Big.3' }, { name: 'Big.3.7' }] }]);
    expect(literal.accounts.totalCount).toBe(0);
  });

  it('refuses a cursor of another list, a malformed cursor and page sizes out of bounds with BAD_USER_INPUT naming the argument', async () => {
    // Arrange
    const childCursor = expectNoErrors(await stack.graphql(CHILDREN, { id: twins.rootId, first: 1 }, admin)).account.children.pageInfo.endCursor;

    // Act
    const refusals = await Promise.all([
      stack.graphql(ACCOUNTS, { rootId: tree.rootId, after: childCursor }, admin),
      stack.graphql(ACCOUNTS, { rootId: tree.rootId, after: 'not a cursor' }, admin),
      stack.graphql(ACCOUNTS, { rootId: tree.rootId, after: encodeCursor([1, 'x', "'; DROP TABLE x"]) }, admin),
      stack.graphql(CHILDREN, { id: twins.rootId, after: encodeCursor([1, 2]) }, admin),
      stack.graphql(ACCOUNTS, { rootId: tree.rootId, first: 0 }, admin),
      stack.graphql(ACCOUNTS, { rootId: tree.rootId, first: 501 }, admin),
      stack.graphql(ACCOUNTS, { rootId: tree.rootId, filter: { depth: 6 } }, admin),
    ]);

    // Assert
    expect(refusals.map((response) => expectError(response, 'BAD_USER_INPUT').extensions?.field)).toEqual(['after', 'after', 'after', 'after', 'first', 'first', 'filter.depth']);
  });

  it('another tenant never learns the tree: its root is NOT_FOUND and its own listing holds only its tree', async () => {
    // Arrange
    const stranger = await stack.login('accountant@acme.example', { accountId: demoAccount('acme').id });

    // Act
    const probe = await stack.graphql(ACCOUNTS, { rootId: tree.rootId, first: 1 }, stranger);
    const own = expectNoErrors(await stack.graphql(ACCOUNTS, { first: 500 }, stranger));
    const search = expectNoErrors(await stack.graphql(ACCOUNTS, { filter: { nameContains: 'Big' }, first: 10 }, stranger));

    // Assert
    expect(probe.data?.accounts ?? null).toBeNull();
    expectError(probe, 'NOT_FOUND');
    expect(own.accounts.nodes.map((a) => a.name)).toEqual(['Acme Accounting', 'Acme Payroll']);
    expect(search.accounts).toMatchObject({ nodes: [], totalCount: 0 });
  });
});

import { demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { insertAccountTree } from '../generated-tree';

describe('cross-subgraph tree query batching (SPEC H4, AUTHZ)', () => {
  let stack: TestStack;
  let token: string;
  const roots: Record<number, string> = {};

  beforeAll(async () => {
    stack = await startTestStack();
    for (const size of [20, 2000]) {
      const tree = await insertAccountTree(stack.sql, { size, fanout: 8, name: `Tenant ${size}` });
      roots[size] = tree.rootId;
      await stack.sql.query(`INSERT INTO identity.memberships (user_id, account_id, role) VALUES ($1, $2, 'ADMIN')`, [demoUser('hq-admin').id, tree.rootId]);
      await stack.sql.query(`INSERT INTO billing.balances (account_id, units) VALUES ($1, 1000)`, [tree.rootId]);
      await stack.sql.query(
        `INSERT INTO messaging.messages (account_id, recipient, body) SELECT id, '+447700900000', 'hi' FROM unnest($1::uuid[]) AS id`,
        [tree.accountIds.filter((_, i) => i % 3 === 0)],
      );
    }
    token = await stack.login('hq.admin@retail.example');
  });
  afterAll(() => stack.close());

  async function statementsFor(rootId: string): Promise<{ statements: number; accounts: number }> {
    const query = `query($id: ID!) { accountTree(rootId: $id) { id name depth messageCount balance } }`;
    await stack.graphql(query, { id: rootId }, token); // warm-up: nothing cached across requests, but keeps the comparison fair
    stack.queryCounter.reset();
    const response = await stack.graphql(query, { id: rootId }, token);
    expect(response.errors).toBeUndefined();
    return { statements: stack.queryCounter.count, accounts: response.data.accountTree.length };
  }

  it('costs the same number of SQL statements for 20 and 2,000 accounts', async () => {
    // Act
    const small = await statementsFor(roots[20]);
    const large = await statementsFor(roots[2000]);

    // Assert
    expect(small.accounts).toBe(20);
    expect(large.accounts).toBe(2000);
    expect(large.statements).toBe(small.statements);
    expect(small.statements).toBeLessThanOrEqual(12);
  });

  it('every account of the generated tree carries the values of its own rows', async () => {
    const response = await stack.graphql(`query($id: ID!) { accountTree(rootId: $id) { id messageCount balance } }`, { id: roots[20] }, token);
    const counts = await stack.sql.query(`SELECT account_id, count(*)::int AS n FROM messaging.messages GROUP BY account_id`);
    const expected = new Map(counts.rows.map((r) => [r.account_id, r.n]));
    for (const account of response.data.accountTree) {
      expect(account.messageCount).toBe(expected.get(account.id) ?? 0);
      expect(account.balance).toBe(1000);
    }
  });

  const PAGE_OF_ACCOUNTS = `query($id: ID!, $first: Int) { accounts(rootId: $id, first: $first) { totalCount pageInfo { hasNextPage } nodes {
    id name childCount hasChildren messageCount balance
    children(first: 3) { totalCount nodes { id name } }
    descendants(first: 1) { totalCount nodes { id } }
    members(first: 1) { totalCount nodes { id role } }
    invitations(first: 1) { totalCount nodes { id } }
    apiKeys(first: 1) { totalCount nodes { id } }
    topUps(first: 1) { totalCount nodes { id } }
    transfers(first: 1) { totalCount nodes { id } }
    invoices(first: 1) { totalCount nodes { id } }
    userCredits(first: 1) { totalCount nodes { userId } }
  } } }`;

  async function statementsForPage(rootId: string, first: number) {
    await stack.graphql(PAGE_OF_ACCOUNTS, { id: rootId, first }, token);
    stack.queryCounter.reset();
    const response = await stack.graphql(PAGE_OF_ACCOUNTS, { id: rootId, first }, token);
    expect(response.errors).toBeUndefined();
    return { statements: stack.queryCounter.count, page: response.data.accounts };
  }

  it('a page of accounts with their children, members, keys and billing lists costs the same statements for every page size and tree size (issue 14)', async () => {
    // Act
    const small = await statementsForPage(roots[20], 7);
    const largeSeven = await statementsForPage(roots[2000], 7);
    const largeHundred = await statementsForPage(roots[2000], 100);

    // Assert
    expect(small.page.nodes).toHaveLength(7);
    expect(largeHundred.page.nodes).toHaveLength(100);
    expect(largeHundred.page.totalCount).toBe(2000);
    expect(largeSeven.statements).toBe(small.statements);
    expect(largeHundred.statements).toBe(small.statements);
    // the session, each subgraph's principal and chains, the page and its count, then one page and one count per list (35 today)
    expect(small.statements).toBeLessThanOrEqual(38);
  });

  it("each account of a page carries its own children's page and count, and its descendants' count", async () => {
    // Act
    const { page } = await statementsForPage(roots[2000], 100);

    // Assert
    const ids = page.nodes.map((account: { id: string }) => account.id);
    const counts = await stack.sql.query(`SELECT parent_id, count(*)::int AS n FROM hierarchy.accounts WHERE parent_id = ANY($1::uuid[]) GROUP BY parent_id`, [ids]);
    const expected = new Map(counts.rows.map((row) => [row.parent_id, row.n]));
    const firstThree = await stack.sql.query(
      `SELECT p.id, (SELECT array_agg(c.id ORDER BY c.name, c.id) FROM (SELECT id, name FROM hierarchy.accounts WHERE parent_id = p.id ORDER BY name, id LIMIT 3) c) AS children
         FROM unnest($1::uuid[]) AS p(id)`,
      [ids],
    );
    const expectedChildren = new Map(firstThree.rows.map((row) => [row.id, row.children ?? []]));
    const below = await stack.sql.query(`SELECT p.id, (SELECT count(*)::int FROM hierarchy.accounts a WHERE a.path @> ARRAY[p.id] AND a.id <> p.id) AS n FROM unnest($1::uuid[]) AS p(id)`, [ids]);
    const expectedDescendants = new Map(below.rows.map((row) => [row.id, row.n]));
    for (const account of page.nodes as { id: string; childCount: number; hasChildren: boolean; children: { totalCount: number; nodes: { id: string }[] }; descendants: { totalCount: number } }[]) {
      expect(account.descendants.totalCount).toBe(expectedDescendants.get(account.id));
      expect(account.childCount).toBe(expected.get(account.id) ?? 0);
      expect(account.hasChildren).toBe((expected.get(account.id) ?? 0) > 0);
      expect(account.children.totalCount).toBe(account.childCount);
      expect(account.children.nodes.map((child) => child.id)).toEqual(expectedChildren.get(account.id));
    }
  });
});

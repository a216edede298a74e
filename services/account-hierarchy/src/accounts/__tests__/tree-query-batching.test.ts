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
});

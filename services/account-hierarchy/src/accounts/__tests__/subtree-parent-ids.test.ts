import { demoAccount, DEMO_ACCOUNTS } from '@platform/demo-data';
import { startSubgraphTestServer, type SubgraphTestServer } from '@platform/platform/testing';
import { AccountStore } from '../store';

/**
 * findSubtrees' text carries a row's parent id only where it is not the path's next-to-last id
 * (issue 17's memory goal): no CHECK ties parent_id to the path, so a row where they differ must
 * still read its own parent_id.
 */
describe('a subtree read as one text, where a parent id is not on the path', () => {
  let server: SubgraphTestServer;
  let store: AccountStore;
  beforeAll(async () => {
    server = await startSubgraphTestServer('account-hierarchy', { seedDemo: true });
    store = new AccountStore({ query: async (sql: string, parameters?: unknown[]) => (await server.sql.query(sql, parameters)).rows });
  });
  afterAll(() => server?.close());

  it('reads parent_id itself for that row, and the path for the others', async () => {
    // Arrange: a store whose parent_id names the root while its path goes through its region.
    const store1 = demoAccount('store-n1');
    await server.sql.query(`UPDATE hierarchy.accounts SET parent_id = $2 WHERE id = $1`, [store1.id, demoAccount('hq').id]);
    const column = async (id: string) => (await server.sql.query(`SELECT parent_id FROM hierarchy.accounts WHERE id = $1`, [id])).rows[0].parent_id as string | null;

    // Act
    const rows = await store.findSubtrees([demoAccount('hq').id, demoAccount('acme').id]);

    // Assert
    expect(rows.find((row) => row.id === store1.id)?.parentId).toBe(demoAccount('hq').id);
    expect(rows.find((row) => row.id === store1.id)?.path.at(-2)).not.toBe(demoAccount('hq').id);
    const byId = new Map((await store.findByIds(DEMO_ACCOUNTS.map((account) => account.id))).map((row) => [row.id, row]));
    for (const row of rows) {
      expect(row.parentId).toBe(await column(row.id));
      expect(row).toEqual(byId.get(row.id));
    }
  });
});

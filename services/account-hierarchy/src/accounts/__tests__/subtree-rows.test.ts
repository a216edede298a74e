import { demoAccount, DEMO_ACCOUNTS } from '@platform/demo-data';
import { startSubgraphTestServer, type SubgraphTestServer } from '@platform/platform/testing';
import { AccountStore } from '../store';

/**
 * findSubtrees reads a whole tree as one text (issue 17): its rows are the rows the column reads
 * give, field by field and in the same order, whatever the names hold.
 */
describe('a subtree read as one text', () => {
  let server: SubgraphTestServer;
  let store: AccountStore;
  beforeAll(async () => {
    server = await startSubgraphTestServer('account-hierarchy', { seedDemo: true });
    store = new AccountStore({ query: async (sql: string, parameters?: unknown[]) => (await server.sql.query(sql, parameters)).rows });
    // Names the API would refuse (control characters) or that need escaping, written straight to the table.
    const names: Record<string, string> = {
      'store-n1': 'Say "hi" \\ back',
      'store-n2': 'Tab\there, line\nbreak, comma, ; semicolon',
      'store-n1-marketing': 'Zürich 🏔 東京',
      north: '\u0001\u001f\\t',
    };
    for (const [key, name] of Object.entries(names)) await server.sql.query(`UPDATE hierarchy.accounts SET name = $2 WHERE id = $1`, [demoAccount(key).id, name]);
    await server.sql.query(`UPDATE hierarchy.accounts SET status = 'SUSPENDED' WHERE id = $1`, [demoAccount('south').id]);
  });
  afterAll(() => server?.close());

  it('gives the rows of the column reads, in (depth, name, id) order', async () => {
    // Arrange
    const roots = [demoAccount('hq').id, demoAccount('acme').id];

    // Act
    const rows = await store.findSubtrees(roots);

    // Assert
    const byId = new Map((await store.findByIds(DEMO_ACCOUNTS.map((account) => account.id))).map((row) => [row.id, row]));
    expect(rows).toHaveLength(DEMO_ACCOUNTS.length);
    expect(rows.map((row) => row.id)).toEqual((await server.sql.query(`SELECT id FROM hierarchy.accounts WHERE path && $1::uuid[] ORDER BY depth, name, id`, [roots])).rows.map((row: { id: string }) => row.id));
    for (const row of rows) expect(row).toEqual(byId.get(row.id));
    expect(rows.find((row) => row.id === demoAccount('store-n2').id)?.name).toBe('Tab\there, line\nbreak, comma, ; semicolon');
  });

  it('gives the rows of the column reads under roots below the top of their tree, one inside another', async () => {
    // Arrange: a region, a store of another region and an account under that store (a root inside another root's subtree)
    const roots = [demoAccount('north').id, demoAccount('store-s1').id, demoAccount('store-s1-marketing').id];

    // Act
    const rows = await store.findSubtrees(roots);

    // Assert
    const expected = (await server.sql.query(`SELECT id FROM hierarchy.accounts WHERE path && $1::uuid[] ORDER BY depth, name, id`, [roots])).rows.map((row: { id: string }) => row.id);
    expect(rows.map((row) => row.id)).toEqual(expected);
    const byId = new Map((await store.findByIds(expected)).map((row) => [row.id, row]));
    for (const row of rows) expect(row).toEqual(byId.get(row.id));
    expect(rows[0].depth).toBeGreaterThan(0);
  });

  it('gives the ids and names of the same rows, in the same order, when only those are read', async () => {
    // Arrange
    const roots = [demoAccount('hq').id, demoAccount('acme').id, demoAccount('store-n1-marketing').id];

    // Act
    const names = await store.findSubtreeNames(roots);

    // Assert
    expect(names).toEqual((await store.findSubtrees(roots)).map((row) => ({ id: row.id, name: row.name })));
    expect(names.find((row) => row.id === demoAccount('north').id)?.name).toBe('\u0001\u001f\\t');
  });

  it('gives nothing for a root that does not exist', async () => {
    expect(await store.findSubtreeNames(['00000000-0000-4000-8000-000000000000'])).toEqual([]);
    expect(await store.findSubtrees(['00000000-0000-4000-8000-000000000000'])).toEqual([]);
  });
});

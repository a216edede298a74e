import { randomUUID } from 'node:crypto';
import { AccessControl, loadAccountChains, type Principal } from '@platform/authz';
import { AppError } from '@platform/errors';
import type { Sql } from '@platform/db';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startSubgraphTestServer, type SubgraphTestServer } from '@platform/platform/testing';

const user = (key: Parameters<typeof demoUser>[0]): Principal => ({ kind: 'USER', id: demoUser(key).id, actingAccountId: null, sessionId: null });

/**
 * A request that decides access reads the account's chain and the caller's grants in one statement
 * (AccessControl's first chain read when the grants are not read yet; issue 19): the same chains and
 * grants as the two reads on their own, for users with nested, suspended and closed grant accounts and
 * for API keys (a role's defaults, or an explicit permission set).
 */
describe("the caller's grants read with the first chains", () => {
  let server: SubgraphTestServer;
  const statements: string[] = [];
  const db: Sql = { query: async (sql: string | { text: string }, parameters?: unknown[]) => {
    statements.push(typeof sql === 'string' ? sql : sql.text);
    return (await server.sql.query(sql as string, parameters)).rows;
  } } as Sql;
  const apiKey = (id: string): Principal => ({ kind: 'API_KEY', id, actingAccountId: null, sessionId: null });
  let roleKey: string;
  let permissionKey: string;

  beforeAll(async () => {
    server = await startSubgraphTestServer('billing', { seedDemo: true });
    const membership = (userKey: string, accountKey: string, role: string) =>
      server.sql.query(`INSERT INTO identity.memberships (user_id, account_id, role, revoked_permissions) VALUES ($1, $2, $3, $4)`, [demoUser(userKey).id, demoAccount(accountKey).id, role, role === 'ADMIN' ? ['billing.view'] : []]);
    await membership('n1-marketing', 'north', 'ADVANCED_USER');
    for (const key of ['store-n2', 'south', 'acme-payroll']) await membership('n1-advanced', key, 'ADMIN');
    await server.sql.query(`UPDATE hierarchy.accounts SET status = 'SUSPENDED' WHERE id = $1`, [demoAccount('south').id]);
    await server.sql.query(`UPDATE hierarchy.accounts SET status = 'CLOSED' WHERE id = $1`, [demoAccount('store-n2').id]);
    const key = async (role: string | null, permissions: string[] | null) =>
      (
        await server.sql.query(
          `INSERT INTO identity.api_keys (account_id, name, display_prefix, key_hash, role, permissions, created_by) VALUES ($1, 'k', 'k', gen_random_uuid()::text, $2, $3, $4) RETURNING id`,
          [demoAccount('north').id, role, permissions, demoUser('hq-admin').id],
        )
      ).rows[0].id as string;
    roleKey = await key('ADVANCED_USER', null);
    permissionKey = await key(null, ['messages.send', 'not-a-permission']);
  });
  afterAll(() => server?.close());

  it.each([
    ['an admin of the root', () => user('hq-admin')],
    ['a user with nested grants', () => user('n1-marketing')],
    ['a user with grants in two trees, on a suspended and a closed account', () => user('n1-advanced')],
    ['an API key with a role', () => apiKey(roleKey)],
    ['an API key with a permission set', () => apiKey(permissionKey)],
  ])('%s', async (_name, principal) => {
    // Arrange
    const accounts = ['store-n1-marketing', 'store-s1', 'acme-payroll'].map((key) => demoAccount(key).id);
    const combined = new AccessControl(principal(), db);
    const apart = new AccessControl(principal(), db);
    statements.length = 0;

    // Act
    const chains = await combined.chainsOf(accounts);
    const grants = await combined.grants();
    const read = statements.length;

    // Assert
    expect(read).toBe(1);
    expect(grants.length).toBeGreaterThan(0);
    expect(grants).toEqual(await apart.grants());
    const byId = await loadAccountChains(db, accounts);
    expect(chains).toEqual(accounts.map((id) => byId.get(id) ?? null));
  });

  it("reads a caller's columns with the chain and the grants, then decides without a statement; with the grants read already, with the chain alone", async () => {
    // Arrange
    const store = demoAccount('store-n1-marketing').id;
    const columns = (path: string, parameter: (n: number) => string) => `array_length(${path}, 1) AS depth, ${parameter(1)}::int + ${parameter(2)}::int AS sum`;
    const first = new AccessControl(user('n1-marketing'), db);
    first.changing = true;
    const second = new AccessControl(user('n1-marketing'), db);
    await second.grants();
    statements.length = 0;

    // Act
    const read = await first.readWithChainAndGrants<{ depth: number; sum: number }>(store, columns, [2, 3]);
    const chain = await first.require(store, 'messages.send');
    const grants = await first.grants();
    const readOnce = statements.length;
    const again = await second.readWithChainAndGrants<{ depth: number; sum: number }>(store.toUpperCase(), columns, [4, 5]);
    const unknown = await first.readWithChainAndGrants(randomUUID(), columns, [0, 0]);
    const notAnId = await first.readWithChainAndGrants('not-an-id', columns, [0, 0]).catch((error: AppError) => error);

    // Assert
    expect(readOnce).toBe(1);
    expect(read).toMatchObject({ depth: 4, sum: 5 });
    expect(chain).toEqual((await loadAccountChains(db, [store])).get(store));
    expect(grants).toEqual(await new AccessControl(user('n1-marketing'), db).grants());
    expect(again).toMatchObject({ depth: 4, sum: 9 });
    expect(again).not.toHaveProperty('grants');
    expect(unknown).toMatchObject({ chains: [] });
    expect((notAnId as AppError).code).toBe('BAD_USER_INPUT');
  });
});

import { loadConfig } from '@platform/config';
import { createTestDatabase, type TestDatabase } from '@platform/db';
import { Pool } from 'pg';
import { postGraphQL } from '@platform/testing';
import { start, stop } from './npm-start-process';

describe('the README walk-through: npm start, login, accountTree, Ctrl-C', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(loadConfig({ ...process.env, NODE_ENV: 'test' }).databaseUrl!);
  });
  afterAll(() => database.drop());

  it('serves the demo tree, stops cleanly on SIGINT, and loads the demo data only once across restarts', async () => {
    // Arrange
    const first = await start(database.url);

    // Act
    const login = await postGraphQL<{ login: { token: string } }>(first.gatewayUrl, {
      query: 'mutation { login(email: "hq.admin@retail.example", password: "demo-password") { token } }',
    });
    const tree = await postGraphQL<{ accountTree: { name: string; depth: number; messageCount: number; balance: number }[] }>(
      first.gatewayUrl,
      { query: '{ accountTree { name depth messageCount balance } }' },
      { authorization: `Bearer ${login.data!.login.token}` },
    );
    const firstExit = await stop(first);
    const second = await start(database.url);
    const secondExit = await stop(second);
    const sql = new Pool({ connectionString: database.url, max: 1 });
    const counts = await sql.query(`SELECT (SELECT count(*) FROM hierarchy.accounts)::int AS accounts, (SELECT count(*) FROM identity.users)::int AS users`);
    await sql.end();

    // Assert
    expect(first.gatewayUrl).toMatch(/^http:\/\/localhost:\d+\/graphql$/);
    expect(tree.data!.accountTree).toHaveLength(19);
    expect(tree.data!.accountTree[0]).toMatchObject({ name: 'Retail Chain HQ', depth: 0, balance: 100000 });
    expect(firstExit).toBe(0);
    expect(first.output()).toContain('stopped');
    expect(secondExit).toBe(0);
    expect(counts.rows[0]).toEqual({ accounts: 21, users: 5 });
  });
});

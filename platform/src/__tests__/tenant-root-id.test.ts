import { demoAccount } from '@platform/demo-data';
import { expectNoErrors } from '@platform/testing';
import { startTestStack, type TestStack } from '../testing';

const SCHEMAS = ['hierarchy', 'identity', 'messaging', 'billing'];

/** Tables that hold no tree's data, and why; every other table carries its tree's root account id. */
const NOT_TENANT_DATA: Record<string, string> = {
  'hierarchy.migrations': "TypeORM's record of applied migrations",
  'identity.migrations': "TypeORM's record of applied migrations",
  'messaging.migrations': "TypeORM's record of applied migrations",
  'billing.migrations': "TypeORM's record of applied migrations",
  'identity.users': 'a login profile is global: one user may be a member of accounts in several trees (SPEC I1)',
  'identity.user_identities': "a user's SSO identities, global like the user",
  'identity.sessions': 'a login session belongs to a user, who may switch between accounts of several trees (SPEC I5)',
  'identity.sso_token_uses': 'a replay guard of ID token hashes, global and short-lived',
  'identity.operators': "the platform's own staff, outside every tree",
  'identity.operator_sessions': "the platform's own staff, outside every tree",
  'identity.operator_setup_tokens': "the platform's own staff, outside every tree",
  'messaging.loopback_carrier_calls': "stands for the carrier's own system (the built-in loopback carrier), not the platform's data",
  'messaging.webhook_relay_cursors': "the webhook relay's position in each schema's outbox: one row per source schema",
};

/** The column is root_account_id, except where it predates this rule: hierarchy.accounts' own root_id, the audit logs' tree_id. */
const ROOT_COLUMN_NAMES = ['root_account_id', 'root_id', 'tree_id'];

describe('every table of a tree carries the root account id (issue 16, README "Scaling")', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  const tables = async () =>
    (
      await stack.sql.query<{ name: string; root_column: string | null }>(
        `SELECT t.table_schema || '.' || t.table_name AS name,
                (SELECT c.column_name FROM information_schema.columns c
                  WHERE c.table_schema = t.table_schema AND c.table_name = t.table_name AND c.column_name = ANY($2::text[])
                  ORDER BY array_position($2::text[], c.column_name::text) LIMIT 1) AS root_column
           FROM information_schema.tables t
          WHERE t.table_schema = ANY($1::text[]) AND t.table_type = 'BASE TABLE'
          ORDER BY 1`,
        [SCHEMAS, ROOT_COLUMN_NAMES],
      )
    ).rows;

  it('after every migration, each table of each service schema has the column or is listed as not tenant data, with a reason', async () => {
    // Act
    const all = await tables();

    // Assert
    expect(all.filter((table) => !table.root_column && !(table.name in NOT_TENANT_DATA)).map((table) => table.name)).toEqual([]);
    // the list names only tables that exist and lack the column
    expect(Object.keys(NOT_TENANT_DATA).filter((name) => !all.some((table) => table.name === name && !table.root_column))).toEqual([]);
  });

  it('the demo data and a send leave no tenant row without its root, and each root is the root of the row\'s account', async () => {
    // Arrange
    const token = await stack.login('accountant@acme.example');

    // Act: a send writes the batch, its messages, counters, rollups, events, the reservation and the ledger
    expectNoErrors(await stack.graphql(`mutation($a: ID!) { sendMessage(input: { accountId: $a, to: "+447400100077", body: "rooted" }) { batchId } }`, { a: demoAccount('acme-payroll').id }, token));

    // Assert
    const missing: string[] = [];
    const wrong: string[] = [];
    for (const table of (await tables()).filter((t) => t.root_column)) {
      const [{ n }] = (await stack.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table.name} WHERE ${table.root_column} IS NULL`)).rows;
      if (n > 0) missing.push(`${table.name}: ${n}`);
      const hasAccount = (await stack.sql.query(`SELECT 1 FROM information_schema.columns WHERE table_schema || '.' || table_name = $1 AND column_name = 'account_id'`, [table.name])).rowCount;
      if (!hasAccount || table.name === 'hierarchy.accounts') continue;
      const [{ m }] = (
        await stack.sql.query<{ m: number }>(`SELECT count(*)::int AS m FROM ${table.name} t JOIN hierarchy.accounts a ON a.id = t.account_id WHERE t.${table.root_column} <> a.root_id`)
      ).rows;
      if (m > 0) wrong.push(`${table.name}: ${m}`);
    }
    expect(missing).toEqual([]);
    expect(wrong).toEqual([]);
    const [message] = (await stack.sql.query(`SELECT root_account_id FROM messaging.messages WHERE recipient = '+447400100077'`)).rows;
    expect(message.root_account_id).toBe(demoAccount('acme').id);
  });
});

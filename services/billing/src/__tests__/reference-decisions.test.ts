import { randomUUID } from 'node:crypto';
import { AccessControl, type Principal } from '@platform/authz';
import type { Sql } from '@platform/db';
import { DEMO_ACCOUNTS, DEMO_OPERATOR, demoAccount, demoUser } from '@platform/demo-data';
import { startSubgraphTestServer, type SubgraphTestServer } from '@platform/platform/testing';

const user = (key: Parameters<typeof demoUser>[0]): Principal => ({ kind: 'USER', id: demoUser(key).id, actingAccountId: null, sessionId: null });
const OPERATOR: Principal = { kind: 'OPERATOR', id: DEMO_OPERATOR.id, actingAccountId: null, sessionId: null, operatorRole: 'OPERATOR_SUPPORT' };

/**
 * AccessControl.resolveReferences (issue 17: the references of an `_entities` call decided from which
 * grant accounts are on their paths, without chains) answers exactly what the per-account decision
 * (permissionsOn: the account's chain, then its grants) answers, for every kind of caller.
 */
describe('Entity references decided in one statement, as each account on its own', () => {
  let server: SubgraphTestServer;
  let db: Sql;
  beforeAll(async () => {
    server = await startSubgraphTestServer('billing', { seedDemo: true });
    db = { query: async (sql: string, parameters?: unknown[]) => (await server.sql.query(sql, parameters)).rows };
    const membership = (userKey: string, accountKey: string, role: string) =>
      server.sql.query(`INSERT INTO identity.memberships (user_id, account_id, role) VALUES ($1, $2, $3)`, [demoUser(userKey).id, demoAccount(accountKey).id, role]);
    // Nested grants: a basic user of a department who is also an advanced user of its region.
    await membership('n1-marketing', 'north', 'ADVANCED_USER');
    // More grant accounts than one mask holds (seven that count, and one on a closed account): decided from chains.
    for (const key of ['store-n2', 'store-s1', 'store-s2', 'south', 'acme-payroll', 'store-s1-rostering', 'store-n2-sales-support']) await membership('n1-advanced', key, 'BASIC_USER');
    // Six grant accounts (and one on a closed account): the largest mask.
    for (const key of ['store-n2', 'store-s1', 'store-s2', 'south', 'acme-payroll']) await membership('n1-marketing', key, 'BASIC_USER');
    // A suspended region and a closed store below grants.
    await server.sql.query(`UPDATE hierarchy.accounts SET status = 'SUSPENDED' WHERE id = $1`, [demoAccount('south').id]);
    await server.sql.query(`UPDATE hierarchy.accounts SET status = 'CLOSED' WHERE id = $1`, [demoAccount('store-n2').id]);
  });
  afterAll(() => server?.close());

  const ids = () => [...DEMO_ACCOUNTS.map((account) => account.id), randomUUID(), 'not-an-id', demoAccount('store-n1').id.toUpperCase(), demoAccount('hq').id];

  it.each([
    ['an admin of the root', user('hq-admin')],
    ['an admin of a region', user('north-admin')],
    ['a user with grants in two trees', user('accountant')],
    ['a user with six grant accounts, one of them nested', user('n1-marketing')],
    ['a user with seven grant accounts', user('n1-advanced')],
    ['an operator', OPERATOR],
    ['a service', { kind: 'SERVICE', id: 'messaging', actingAccountId: null, sessionId: null } satisfies Principal],
  ])('%s', async (_name, principal) => {
    // Arrange
    const references = ids().map((id) => ({ id }));

    // Act
    const decided = await new AccessControl(principal, db).resolveReferences(references);

    // Assert: each as a fresh request decides that account alone
    const expected = await Promise.all(
      references.map(async ({ id }) => {
        const access = new AccessControl(principal, db);
        const permissions = /^[0-9a-f-]{36}$/i.test(id) ? await access.permissionsOn(id) : new Set();
        return { permissions: [...permissions].sort() };
      }),
    );
    expect(references.map((_, i) => ({ permissions: [...decided.permissions[i]].sort() }))).toEqual(expected);
    expect(expected.some((e) => e.permissions.length > 0) || principal.kind === 'SERVICE').toBe(true);
  });

  it('records nothing in a mutation: every reference is left to its fields’ rules', async () => {
    // Arrange
    const access = new AccessControl(user('hq-admin'), db);
    access.changing = true;

    // Act
    const decided = await access.resolveReferences([{ id: demoAccount('hq').id }]);

    // Assert
    expect(decided.permissions[0].size).toBe(0);
  });
});

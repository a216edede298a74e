import type { Principal } from '@platform/authz';
import { DEMO_ACCOUNTS, demoAccount, demoUser } from '@platform/demo-data';
import { codeOf, expectError, expectNoErrors, typedDocument } from '@platform/testing';
import { startSubgraphTestServer, type SubgraphTestServer } from '../testing';

const TREE = typedDocument<{ accountTree: { id: string; name: string }[] }, { rootId?: string }>('query Tree($rootId: ID) { accountTree(rootId: $rootId) { id name } }');
const ACCOUNT = typedDocument<{ account: { id: string } | null }, { id: string }>('query Account($id: ID!) { account(id: $id) { id } }');

const asUser = (key: string, accountKey: string): Principal => ({ kind: 'USER', id: demoUser(key).id, actingAccountId: demoAccount(accountKey).id, sessionId: `session-${key}` });

/** The demo accounts under (and including) one account. */
const subtreeOf = (key: string): string[] => {
  const keys = new Set([key]);
  for (const account of DEMO_ACCOUNTS) if (account.parentKey && keys.has(account.parentKey)) keys.add(account.key);
  return DEMO_ACCOUNTS.filter((account) => keys.has(account.key)).map((account) => account.id);
};

describe('the single-subgraph tier of the test kit: one subgraph, called with chosen principals', () => {
  let hierarchy: SubgraphTestServer;
  beforeAll(async () => {
    hierarchy = await startSubgraphTestServer('account-hierarchy');
  });
  afterAll(async () => {
    await hierarchy?.close();
  });

  it.each([
    ['the head office admin', asUser('hq-admin', 'hq'), 'hq'],
    ['a region admin', asUser('north-admin', 'north'), 'north'],
    ['an advanced user of a store', asUser('n1-advanced', 'store-n1'), 'store-n1'],
  ])('%s sees exactly their own subtree', async (_who, principal, rootKey) => {
    // Act
    const data = expectNoErrors(await hierarchy.call(TREE, {}, principal));

    // Assert
    expect(data.accountTree.map((account) => account.id).sort()).toEqual(subtreeOf(rootKey).sort());
  });

  it("a sibling region is invisible (null) and another tenant's tree is NOT_FOUND", async () => {
    // Arrange
    const northAdmin = asUser('north-admin', 'north');

    // Act
    const sibling = await hierarchy.call(ACCOUNT, { id: demoAccount('south').id }, northAdmin);
    const otherTenant = await hierarchy.call(TREE, { rootId: demoAccount('acme').id }, northAdmin);

    // Assert
    expect(sibling.data?.account ?? null).toBeNull();
    expectError(otherTenant, 'NOT_FOUND');
  });

  it('without a principal token the subgraph answers nothing', async () => {
    // Act
    const response = await fetch(hierarchy.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: TREE.query }) });
    const body = (await response.json()) as { errors?: { extensions?: { code?: string } }[]; data?: unknown };

    // Assert
    expect(codeOf(body)).toBe('UNAUTHENTICATED');
    expect(body.data ?? null).toBeNull();
  });
});

import { DEMO_ACCOUNTS, DEMO_MESSAGES, DEMO_USERS, demoAccount, demoUser, type DemoAccount, type DemoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';

/**
 * SPEC H3/I2 as an oracle independent of the authz module: a user sees an account iff one of
 * their memberships is on the account itself or an ancestor; admins manage sub-accounts and
 * settings there; billing belongs to admins of a parent (depth-0) account.
 */
function chainOf(account: DemoAccount): string[] {
  const keys: string[] = [];
  let current: DemoAccount | undefined = account;
  while (current) {
    keys.unshift(current.key);
    current = current.parentKey ? demoAccount(current.parentKey) : undefined;
  }
  return keys;
}

function membershipsOnChain(user: DemoUser, account: DemoAccount) {
  const chain = chainOf(account);
  return user.memberships.filter((m) => chain.includes(m.accountKey));
}

type Outcome = 'ALLOWED' | 'FORBIDDEN' | 'NOT_FOUND';

function expected(user: DemoUser, account: DemoAccount, action: 'read' | 'admin' | 'billing'): Outcome {
  const memberships = membershipsOnChain(user, account);
  if (memberships.length === 0) return 'NOT_FOUND';
  if (action === 'read') return 'ALLOWED';
  if (action === 'admin') return memberships.some((m) => m.role === 'ADMIN') ? 'ALLOWED' : 'FORBIDDEN';
  return memberships.some((m) => m.role === 'ADMIN' && chainOf(demoAccount(m.accountKey)).length === 1) ? 'ALLOWED' : 'FORBIDDEN';
}

function expectedMessageCount(user: DemoUser, account: DemoAccount): number {
  const onlyBasic = membershipsOnChain(user, account).every((m) => m.role === 'BASIC_USER');
  return DEMO_MESSAGES.filter(([accountKey, userKey]) => accountKey === account.key && (!onlyBasic || userKey === user.key)).reduce(
    (sum, [, , count]) => sum + count,
    0,
  );
}

function outcomeOf(response: { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] }, field: string): Outcome | string {
  if (response.errors?.length) return response.errors[0].extensions?.code ?? 'NO_CODE';
  return response.data?.[field] != null ? 'ALLOWED' : 'NULL';
}

describe('visibility matrix through the gateway (SPEC H3, I2)', () => {
  let stack: TestStack;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    stack = await startTestStack();
    for (const user of DEMO_USERS) tokens.set(user.key, await stack.login(user.email));
  });
  afterAll(() => stack.close());

  const cases = DEMO_USERS.flatMap((user) => DEMO_ACCOUNTS.map((account) => [user.key, account.key] as const));

  it.each(cases)('%s on %s: read, messageCount, balance, settings, sub-account', async (userKey, accountKey) => {
    // Arrange
    const user = demoUser(userKey);
    const account = demoAccount(accountKey);
    const token = tokens.get(userKey)!;
    const accountsBefore = await stack.sql.query('SELECT count(*)::int AS n FROM hierarchy.accounts');

    // Act
    const read = await stack.graphql(`query($id: ID!) { account(id: $id) { id name } }`, { id: account.id }, token);
    const messageCount = await stack.graphql(`query($id: ID!) { account(id: $id) { messageCount } }`, { id: account.id }, token);
    const balance = await stack.graphql(`query($id: ID!) { account(id: $id) { balance } }`, { id: account.id }, token);
    const settings = await stack.graphql(
      `mutation($id: ID!) { updateAccountSettings(id: $id, input: { deliveryReceipts: true }) { id } }`,
      { id: account.id },
      token,
    );
    const create = await stack.graphql(
      `mutation($parentId: ID!) { createSubAccount(input: { parentId: $parentId, name: "Matrix child" }) { id depth } }`,
      { parentId: account.id },
      token,
    );

    // Assert
    expect(outcomeOf(read, 'account')).toBe(expected(user, account, 'read'));
    if (expected(user, account, 'read') === 'ALLOWED') {
      expect(read.data.account.name).toBe(account.name);
      expect(messageCount.data.account.messageCount).toBe(expectedMessageCount(user, account));
    } else {
      expect(outcomeOf(messageCount, 'account')).toBe('NOT_FOUND');
    }
    const balanceOutcome = expected(user, account, 'billing');
    if (balanceOutcome === 'ALLOWED') expect(typeof balance.data.account.balance).toBe('number');
    else expect(balance.errors?.[0].extensions?.code).toBe(balanceOutcome);
    expect(outcomeOf(settings, 'updateAccountSettings')).toBe(expected(user, account, 'admin'));
    expect(outcomeOf(create, 'createSubAccount')).toBe(expected(user, account, 'admin'));
    const accountsAfter = await stack.sql.query('SELECT count(*)::int AS n FROM hierarchy.accounts');
    expect(accountsAfter.rows[0].n - accountsBefore.rows[0].n).toBe(expected(user, account, 'admin') === 'ALLOWED' ? 1 : 0);
  });

  it('the accountant sees exactly the Acme tree and Store S1 with its departments', async () => {
    // Act
    const response = await stack.graphql<{ accountTree: { id: string }[] }>(`{ accountTree { id } }`, {}, tokens.get('accountant'));
    const s1Tree = await stack.graphql<{ accountTree: { id: string }[] }>(
      `query($id: ID) { accountTree(rootId: $id) { id } }`,
      { id: demoAccount('store-s1').id },
      tokens.get('accountant'),
    );

    // Assert: default root is the acting account (Acme, the highest membership)
    const ids = (keys: string[]) => keys.map((k) => demoAccount(k).id).sort();
    const visibleIds = (await stack.sql.query(`SELECT id FROM hierarchy.accounts WHERE path && $1::uuid[] AND name <> 'Matrix child'`, [ids(['acme', 'store-s1'])])).rows.map((r) => r.id);
    expect(response.data!.accountTree.map((a) => a.id).filter((id) => visibleIds.includes(id)).sort()).toEqual(ids(['acme', 'acme-payroll']));
    expect(s1Tree.data!.accountTree.map((a) => a.id).filter((id) => visibleIds.includes(id)).sort()).toEqual(
      ids(['store-s1', 'store-s1-marketing', 'store-s1-sales-support', 'store-s1-rostering']),
    );
  });
});

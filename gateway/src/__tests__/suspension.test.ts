import { demoAccount } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { codeOf } from '@platform/testing';

/**
 * A suspended account is read-only for its members and the members of every account below it:
 * no settings, no users, no keys, no sub-accounts, no contacts, no sends. Admins of an active
 * ancestor keep their authority (they resume it). (issue 12, item 20; README "Identity and access")
 */
describe('suspension stops every change by the members of the suspended subtree', () => {
  let stack: TestStack;
  let hqAdmin: string;
  let northAdmin: string;
  let storeUser: string;
  const north = demoAccount('north').id;
  const storeN1 = demoAccount('store-n1').id;

  beforeAll(async () => {
    stack = await startTestStack();
    hqAdmin = await stack.login('hq.admin@retail.example');
    northAdmin = await stack.login('north.admin@retail.example');
    storeUser = await stack.login('n1.advanced@retail.example');
    const suspended = await stack.graphql(`mutation($id: ID!) { suspendAccount(id: $id) { status } }`, { id: north }, hqAdmin);
    expect(suspended.data?.suspendAccount.status).toBe('SUSPENDED');
  });
  afterAll(() => stack.close());

  const count = async (table: string) => (await stack.sql.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n as number;

  it('members of the suspended account and of its descendants may read but every change is refused with ACCOUNT_SUSPENDED, writing nothing', async () => {
    // Arrange
    const before = { accounts: await count('hierarchy.accounts'), keys: await count('identity.api_keys'), invitations: await count('identity.invitations'), contacts: await count('messaging.contacts') };

    // Act
    const attempts = await Promise.all([
      stack.graphql(`mutation($id: ID!) { updateAccountSettings(id: $id, input: { name: "Renamed while suspended" }) { id } }`, { id: north }, northAdmin),
      stack.graphql(`mutation($a: ID!) { createApiKey(accountId: $a, name: "while suspended", role: BASIC_USER) { key } }`, { a: north }, northAdmin),
      stack.graphql(`mutation($a: ID!) { inviteUser(accountId: $a, email: "suspended.invite@retail.example", role: BASIC_USER) { id } }`, { a: storeN1 }, northAdmin),
      stack.graphql(`mutation($p: ID!) { createSubAccount(input: { parentId: $p, name: "New while suspended" }) { id } }`, { p: storeN1 }, northAdmin),
      stack.graphql(`mutation($id: ID!) { resumeAccount(id: $id) { status } }`, { id: north }, northAdmin),
      stack.graphql(`mutation($a: ID!) { createContact(accountId: $a, input: { phoneNumber: "+447400123499" }) { id } }`, { a: storeN1 }, storeUser),
      stack.graphql(`mutation($a: ID!) { sendMessage(input: { accountId: $a, to: "+447400123498", body: "hi" }) { batchId } }`, { a: storeN1 }, storeUser),
    ]);
    const read = await stack.graphql(`query($id: ID!) { account(id: $id) { name status effectiveStatus } }`, { id: storeN1 }, storeUser);

    // Assert
    expect(attempts.map(codeOf)).toEqual(Array(attempts.length).fill('ACCOUNT_SUSPENDED'));
    expect(read.data?.account).toMatchObject({ status: 'ACTIVE', effectiveStatus: 'SUSPENDED' });
    expect({ accounts: await count('hierarchy.accounts'), keys: await count('identity.api_keys'), invitations: await count('identity.invitations'), contacts: await count('messaging.contacts') }).toEqual(before);
    expect((await stack.sql.query(`SELECT name FROM hierarchy.accounts WHERE id = $1`, [north])).rows[0].name).toBe('North Region');
  });

  it('an admin of an active ancestor still changes the suspended account, and resuming gives its members their rights back', async () => {
    // Act
    const byAncestor = await stack.graphql(`mutation($id: ID!) { updateAccountSettings(id: $id, input: { timezone: "Europe/Paris" }) { id } }`, { id: north }, hqAdmin);
    const resumed = await stack.graphql(`mutation($id: ID!) { resumeAccount(id: $id) { status } }`, { id: north }, hqAdmin);
    const afterResume = await stack.graphql(`mutation($id: ID!) { updateAccountSettings(id: $id, input: { name: "North Region" }) { id } }`, { id: north }, northAdmin);

    // Assert
    expect(byAncestor.errors).toBeUndefined();
    expect(resumed.data?.resumeAccount.status).toBe('ACTIVE');
    expect(afterResume.errors).toBeUndefined();
  });
});

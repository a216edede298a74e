import crypto from 'node:crypto';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { codeOf as code } from '@platform/testing';

jest.setTimeout(60_000);

const BILLING = `query($id: ID!) { account(id: $id) {
  billing { paidBy ownBalance payingAccount { id } balance }
  ledger(first: 20) { entries { kind payingAccount { id } spendingAccount { id } } }
  transfers { nodes { fromAccount { id } toAccount { id } units } } } }`;
const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { batchId } }`;

/** SPEC B1, H3: billing says that an ancestor pays without naming it to callers who cannot see it. */
describe('who pays, as a sub-account admin with billing sees it (SPEC B1, H3)', () => {
  let stack: TestStack;
  let hqAdmin: string;
  let northAdmin: string;
  const hq = demoAccount('hq').id;
  const north = demoAccount('north').id;
  const storeN1 = demoAccount('store-n1').id;

  beforeAll(async () => {
    stack = await startTestStack({ env: { MESSAGING_WORKER_INTERVAL_MS: '0', BILLING_SWEEP_INTERVAL_MS: '0' } });
    hqAdmin = await stack.login(demoUser('hq-admin').email);
    await stack.graphql(`mutation($id: ID!) { updateAccountSettings(id: $id, input: { clear: [SENDING_WINDOW] }) { id } }`, { id: hq }, hqAdmin);
    // North's admin is granted billing on North by the head office
    const [{ id: membershipId }] = (await stack.sql.query(`SELECT id FROM identity.memberships WHERE user_id = $1 AND account_id = $2`, [demoUser('north-admin').id, north])).rows;
    const granted = await stack.graphql(`mutation($id: ID!) { setMembershipPermissions(membershipId: $id, granted: ["billing"], revoked: []) { id } }`, { id: membershipId }, hqAdmin);
    expect(granted.errors).toBeUndefined();
    northAdmin = await stack.login(demoUser('north-admin').email);
  });
  afterAll(() => stack?.close());

  it('answers paidBy ANCESTOR and no id of the invisible paying ancestor, in billing, ledger and transfers; the head office sees it', async () => {
    // Arrange: North spends from the head office's balance, then gets a balance of its own funded by the head office
    const spent = await stack.graphql(SEND, { input: { accountId: north, to: '+447400800001', body: 'Paid above' } }, hqAdmin);
    await stack.settleSendCredit();
    const drawing = await stack.graphql(BILLING, { id: north }, northAdmin);
    const drawingSeenByHq = await stack.graphql(BILLING, { id: north }, hqAdmin);
    await stack.graphql(`mutation($a: ID!) { enableOwnBalance(accountId: $a) { id } }`, { a: north }, hqAdmin);
    const funded = await stack.graphql(
      `mutation($i: TransferInput!) { transferBalance(input: $i) { units } }`,
      { i: { fromAccountId: hq, toAccountId: north, units: 50, idempotencyKey: crypto.randomUUID() } },
      hqAdmin,
    );

    // Act
    const own = await stack.graphql(BILLING, { id: north }, northAdmin);

    // Assert
    expect([spent.errors, funded.errors, drawing.errors, own.errors]).toEqual([undefined, undefined, undefined, undefined]);
    expect(drawing.data.account.billing).toMatchObject({ paidBy: 'ANCESTOR', ownBalance: false, payingAccount: null });
    expect(drawing.data.account.ledger.entries).toContainEqual({ kind: 'USAGE', payingAccount: null, spendingAccount: { id: north } });
    expect(JSON.stringify(drawing)).not.toContain(hq);
    expect(drawingSeenByHq.data.account.billing).toMatchObject({ paidBy: 'ANCESTOR', payingAccount: { id: hq } });
    expect(own.data.account.billing).toMatchObject({ paidBy: 'SELF', ownBalance: true, payingAccount: { id: north }, balance: 50 });
    expect(own.data.account.transfers.nodes).toEqual([{ fromAccount: null, toAccount: { id: north }, units: 50 }]);
    expect(JSON.stringify(own)).not.toContain(hq);
  });

  it('a send refused by an invisible ancestor\'s credit limit says the limit is an ancestor\'s, without its id', async () => {
    // Arrange: North (invisible to Store N1's user) may spend nothing more
    const current = (await stack.graphql(`query($id: ID!) { account(id: $id) { billing { creditLimit { spent held } } } }`, { id: north }, hqAdmin)).data.account.billing.creditLimit;
    const limited = await stack.graphql(`mutation($a: ID!, $l: Int) { setCreditLimit(accountId: $a, limit: $l) { id } }`, { a: north, l: (current?.spent ?? 0) + (current?.held ?? 0) }, hqAdmin);
    const storeUser = await stack.login(demoUser('n1-advanced').email);

    // Act
    const refused = await stack.graphql(SEND, { input: { accountId: storeN1, to: '+447400800002', body: 'Over the limit' } }, storeUser);
    const seenByNorth = await stack.graphql(SEND, { input: { accountId: storeN1, to: '+447400800003', body: 'Over the limit' } }, northAdmin);

    // Assert
    expect(limited.errors).toBeUndefined();
    expect(code(refused)).toBe('INSUFFICIENT_CREDIT');
    expect(refused.errors![0].extensions).toMatchObject({ limit: 'ACCOUNT_LIMIT', limitOf: 'ANCESTOR', limitAccountId: null });
    expect(JSON.stringify(refused)).not.toContain(north);
    expect(seenByNorth.errors![0].extensions).toMatchObject({ limit: 'ACCOUNT_LIMIT', limitOf: 'ANCESTOR', limitAccountId: north });
  });
});

import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { expectNoErrors, typedDocument } from '@platform/testing';
import { acceptMessages, QUIET_STACK_ENV } from '../../reporting/__tests__/usage-fixtures';

type MessageNames = { nodes: { id: string; userId: string | null; sentBy: { id: string; name: string; email: string } | null; apiKey: { id: string; name: string; prefix: string } | null }[] };
const MESSAGES = typedDocument<{ messages: MessageNames }, { a: string; first: number }>(
  `query($a: ID!, $first: Int) { messages(accountId: $a, first: $first) { nodes { id userId sentBy { id name email } apiKey { id name prefix } } } }`,
);
const SEND = `mutation($a: ID!, $to: String!) { sendMessage(input: { accountId: $a, to: $to, body: "Names beside ids" }) { batchId } }`;

/**
 * Issue 14 item 6: a portal shows who did what by name, not by id: the sender of a message (a user
 * or an API key), the user and sender ID of a usage row, the actor of an activity entry; an API key
 * asks what it is. Names come from identity through the federation, batched per list.
 */
describe('names beside ids', () => {
  let stack: TestStack;
  let hqAdmin: string;
  let apiKey: { key: string; id: string; prefix: string };
  const store = demoAccount('store-n1').id;

  beforeAll(async () => {
    stack = await startTestStack({ env: QUIET_STACK_ENV });
    hqAdmin = await stack.login(demoUser('hq-admin').email);
    const created = expectNoErrors(
      await stack.graphql<{ createApiKey: { key: string; apiKey: { id: string; prefix: string } } }>(
        `mutation($a: ID!) { createApiKey(accountId: $a, name: "Shop till", role: ADVANCED_USER) { key apiKey { id prefix } } }`,
        { a: store },
        hqAdmin,
      ),
    ).createApiKey;
    apiKey = { key: created.key, ...created.apiKey };
  });
  afterAll(() => stack.close());

  it("a message says which user or which API key sent it", async () => {
    // Arrange
    const user = await stack.login(demoUser('n1-advanced').email);
    expectNoErrors(await stack.graphql(SEND, { a: store, to: '+447400300001' }, user));
    expectNoErrors(await stack.graphql(SEND, { a: store, to: '+447400300002' }, apiKey.key));

    // Act
    const { nodes } = expectNoErrors(await stack.graphql(MESSAGES, { a: store, first: 2 }, hqAdmin)).messages;

    // Assert: newest first
    const nadia = demoUser('n1-advanced');
    expect(nodes.map((m) => ({ sentBy: m.sentBy, apiKey: m.apiKey }))).toEqual([
      { sentBy: null, apiKey: { id: apiKey.id, name: 'Shop till', prefix: apiKey.prefix } },
      { sentBy: { id: nadia.id, name: nadia.name, email: nadia.email }, apiKey: null },
    ]);
  });

  it('an API key asks what it is; a user sees themselves', async () => {
    // Act
    const ME = `{ me { kind user { id } apiKey { id accountId name role } activeAccount { id } } }`;
    const byKey = expectNoErrors(await stack.graphql(ME, {}, apiKey.key)).me;
    const byUser = expectNoErrors(await stack.graphql(ME, {}, hqAdmin)).me;

    // Assert
    expect(byKey).toEqual({ kind: 'API_KEY', user: null, apiKey: { id: apiKey.id, accountId: store, name: 'Shop till', role: 'ADVANCED_USER' }, activeAccount: { id: store } });
    expect(byUser).toMatchObject({ kind: 'USER', user: { id: demoUser('hq-admin').id }, apiKey: null });
  });

  it("a key's scope is for those who manage the account's keys: a message reader sees its name only", async () => {
    // Arrange: an advanced user of Store N1 reads its messages but may not manage its keys
    const advanced = await stack.login(demoUser('n1-advanced').email);

    // Act
    const response = await stack.graphql(`query($a: ID!) { messages(accountId: $a, first: 5) { nodes { apiKey { name role lastUsedAt } } } }`, { a: store }, advanced);

    // Assert
    const withKey = response.data!.messages.nodes.findIndex((m: { apiKey: unknown }) => m.apiKey !== null);
    expect(response.data!.messages.nodes[withKey].apiKey).toEqual({ name: 'Shop till', role: null, lastUsedAt: null });
    expect(response.errors!.map((e) => [e.extensions?.code, e.path?.slice(-1)[0]]).sort()).toEqual([
      ['FORBIDDEN', 'lastUsedAt'],
      ['FORBIDDEN', 'role'],
    ]);
  });

  it('a usage row names its user and sender ID; an activity entry names its actor', async () => {
    // Arrange
    const sender = expectNoErrors(
      await stack.graphql<{ requestSenderId: { id: string; value: string } }>(`mutation($a: ID!) { requestSenderId(accountId: $a, input: { kind: SHORT_CODE, value: "60070" }) { id value } }`, { a: store }, hqAdmin),
    ).requestSenderId;
    expectNoErrors(await stack.graphql(`mutation($id: ID!) { activateSenderId(id: $id) { id } }`, { id: sender.id }, await stack.loginOperator()));
    await acceptMessages(stack.sql, [{ accountId: store, userId: demoUser('n1-advanced').id, senderId: sender.id, day: '2024-02-10' }]);
    const USAGE = `query($a: ID!) { account(id: $a) { usage(from: "2024-02-01", to: "2024-02-28", groupBy: [USER, SENDER_ID]) { rows { user { name } sender { id value } messages } } } }`;
    const LOG = `query($a: ID!) { activityLog(accountId: $a, filter: { action: "createApiKey" }) { entries { actorKind actor { name } } } }`;

    // Act
    const usage = expectNoErrors(await stack.graphql(USAGE, { a: store }, hqAdmin)).account.usage.rows;
    const log = expectNoErrors(await stack.graphql(LOG, { a: store }, hqAdmin)).activityLog.entries;

    // Assert
    expect(usage).toEqual([{ user: { name: demoUser('n1-advanced').name }, sender: { id: sender.id, value: sender.value }, messages: 1 }]);
    expect(log).toEqual([{ actorKind: 'USER', actor: { name: demoUser('hq-admin').name } }]);
  });

  it("an entry of a sub-account, read in an ancestor's log with its sub-accounts, names the account it is on", async () => {
    // Arrange
    const LOG = `query($a: ID!) { activityLog(accountId: $a, filter: { action: "createApiKey", includeDescendants: true }) { nodes { targetAccountId targetAccount { id name } } } }`;

    // Act
    const log = expectNoErrors(await stack.graphql(LOG, { a: demoAccount('hq').id }, hqAdmin)).activityLog.nodes;

    // Assert: the key made in beforeAll, on Store N1
    expect(log).toEqual([{ targetAccountId: store, targetAccount: { id: store, name: 'Store N1' } }]);
  });

  it('a ledger entry names the user whose send spent its units', async () => {
    // Arrange: Acme has no sending window, so the send is due at once and its debit lands at the worker's settlement
    const accountant = await stack.login(demoUser('accountant').email);
    const acme = demoAccount('acme').id;
    expectNoErrors(await stack.graphql(SEND, { a: acme, to: '+447400300003' }, accountant));
    await stack.settleSendCredit();
    const LEDGER = `query($a: ID!) { account(id: $a) { ledger(first: 1, filter: { kinds: [USAGE] }) { nodes { userId user { name } spendingAccount { name } } } } }`;

    // Act
    const [entry] = expectNoErrors(await stack.graphql(LEDGER, { a: acme }, accountant)).account.ledger.nodes;

    // Assert
    expect(entry).toEqual({ userId: demoUser('accountant').id, user: { name: demoUser('accountant').name }, spendingAccount: { name: 'Acme Accounting' } });
  });

  it('costs the same SQL statements for 2 messages as for 20', async () => {
    // Arrange
    const user = await stack.login(demoUser('n1-advanced').email);
    for (let i = 0; i < 20; i += 1) expectNoErrors(await stack.graphql(SEND, { a: store, to: `+4474004000${String(i).padStart(2, '0')}` }, i % 2 ? user : apiKey.key));
    const statementsFor = async (first: number) => {
      await stack.graphql(MESSAGES, { a: store, first }, hqAdmin);
      stack.queryCounter.reset();
      const page = expectNoErrors(await stack.graphql(MESSAGES, { a: store, first }, hqAdmin)).messages.nodes;
      expect(page).toHaveLength(first);
      return stack.queryCounter.count;
    };

    // Act
    const small = await statementsFor(2);
    const large = await statementsFor(20);

    // Assert
    expect(large).toBe(small);
  });
});

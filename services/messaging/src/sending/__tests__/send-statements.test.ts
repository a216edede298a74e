import crypto from 'node:crypto';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';

jest.setTimeout(180_000);
const OPEN_ALL_WEEK = { days: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'], start: '00:00', end: '23:59' };
const settings = `mutation($id: ID!, $input: AccountSettingsInput!) { updateAccountSettings(id: $id, input: $input) { id } }`;

/**
 * Issue 19: the SQL statements of one send through the gateway with every check on (the bench's
 * send path: sending window, SMS limits on the store and its region, an account credit limit, the
 * sender's user credit limit, the store's own balance), counted by the test kit's query counter over
 * every process. Messaging reads the sender's grants with the account's chain, its settings and the
 * opt-outs (one statement); the tree's move lock and the chain are one statement in each service; billing's
 * reservation and capture are one statement each, outside a transaction. Messaging writes the send
 * in one statement that commits by itself: the move lock and chain, the batch, its messages, their
 * usage change, then the SMS counters and last the tree's activity entry (the rows a tree's sends
 * share, held for the end of that statement and its commit, with no round trip in between).
 */
describe('the statements of a send (issue 19)', () => {
  let stack: TestStack;
  afterAll(async () => {
    await stack?.close();
  });

  it('a single send runs at most 5 SQL statements, without a transaction: its writes are one statement', async () => {
    // Arrange: the bench's send path
    stack = await startTestStack({ env: { MESSAGING_WORKER_INTERVAL_MS: '0' } });
    const token = await stack.login(demoUser('hq-admin').email);
    const gql = async (query: string, variables: Record<string, unknown>, token: string) => {
      const response = await stack.graphql<Record<string, { accepted?: number }>>(query, variables, token);
      expect(response.errors).toBeUndefined();
      return response.data!;
    };
    const store = demoAccount('store-s2').id;
    const root = demoAccount('hq').id;
    const region = demoAccount('south').id;
    await gql(settings, { id: root, input: { sendingWindow: OPEN_ALL_WEEK } }, token);
    const limits = { daily: 10_000_000, monthly: 100_000_000 };
    await gql(settings, { id: region, input: { smsLimits: limits } }, token);
    await gql(settings, { id: store, input: { smsLimits: limits } }, token);
    await gql(`mutation($a: ID!) { setCreditLimit(accountId: $a, limit: 5000000) { id } }`, { a: store }, token);
    await gql(`mutation($a: ID!, $e: String!) { addAccountMember(accountId: $a, email: $e, role: ADVANCED_USER) { membership { id } } }`, { a: store, e: demoUser('accountant').email }, token);
    await gql(`mutation($a: ID!, $u: ID!) { setUserCreditLimit(accountId: $a, userId: $u, limit: 5000000) { limit } }`, { a: store, u: demoUser('accountant').id }, token);
    await gql(`mutation($a: ID!) { enableOwnBalance(accountId: $a) { id } }`, { a: store }, token);
    await gql(`mutation($i: TransferInput!) { transferBalance(input: $i) { units } }`, { i: { fromAccountId: root, toAccountId: store, units: 90000, idempotencyKey: crypto.randomUUID() } }, token);
    const sender = await stack.login(demoUser('accountant').email);
    const send = (i: number) => gql(`mutation($input: SendMessageInput!) { sendMessage(input: $input) { accepted } }`, { input: { accountId: store, to: `+447401${String(i).padStart(6, '0')}`, body: `Bench single ${i}` } }, sender);
    for (let i = 0; i < 3; i++) await send(i);

    // Act
    stack.queryCounter.reset();
    const sent = await send(99);
    const statements = [...stack.queryCounter.statements];

    // Assert
    expect(sent.sendMessage.accepted).toBe(1);
    expect(statements.length).toBeLessThanOrEqual(5);
    // The sender's memberships are read with the account's chain, its settings and the opt-outs, in one statement.
    const grants = statements.filter((sql) => sql.includes('identity.memberships'));
    expect(grants).toHaveLength(1);
    for (const part of ['hierarchy.accounts WHERE id = ANY', 'hierarchy.account_settings', 'messaging.opt_outs']) expect(grants[0]).toContain(part);
    expect(statements.filter((sql) => /^\s*(START TRANSACTION|BEGIN|COMMIT)/i.test(sql))).toEqual([]);
    const writes = statements.filter((sql) => sql.includes('messaging.send_batches'));
    expect(writes).toHaveLength(1);
    for (const part of ['hierarchy.lock_chain_for_spending', 'messaging.messages', 'messaging.usage_outbox', 'messaging.sms_counters', 'messaging.activity_log_heads']) expect(writes[0]).toContain(part);
    expect(writes[0].indexOf('messaging.sms_counters')).toBeLessThan(writes[0].indexOf('messaging.activity_log_heads'));
    expect(statements.filter((sql) => sql.includes('hierarchy.lock_chain_for_spending'))).toHaveLength(2);
    expect(statements.filter((sql) => sql.includes('pg_advisory_xact_lock'))).toEqual([]);
    expect(statements.filter((sql) => sql.includes('activity_log_heads'))).toHaveLength(1);
  });
});

import { appendActivity, verifyActivityLog } from '@platform/audit';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { billingClientFor, operatorLogin } from './billing-test-kit';

jest.setTimeout(60_000);

/** Billing's side of the activity log (SPEC I9); the identity suite checks every mutation writes one. */
describe('billing activity log (SPEC I9)', () => {
  let stack: TestStack;
  const hq = demoAccount('hq').id;

  const entries = async (action?: string) =>
    (
      await stack.sql.query(
        `SELECT action, actor_id, target_account_id, target_account_path, target_type, target_id, before, after
           FROM billing.activity_log ${action ? 'WHERE action = $1' : ''} ORDER BY tree_id, seq`,
        action ? [action] : [],
      )
    ).rows;
  const codeOf = (response: { errors?: { extensions?: { code?: string } }[] }) => response.errors?.[0]?.extensions?.code ?? 'ACCEPTED';

  beforeAll(async () => {
    stack = await startTestStack({ env: { BILLING_SWEEP_INTERVAL_MS: '0' } });
  });
  afterAll(() => stack.close());

  it('records who changed a sub-account limit, on which account, before and after, in a valid chain', async () => {
    // Arrange
    const token = await stack.login(demoUser('hq-admin').email);
    const store = demoAccount('store-n2');
    const setLimit = `mutation($a: ID!, $l: Int) { setCreditLimit(accountId: $a, limit: $l) { id } }`;

    // Act
    await stack.graphql(setLimit, { a: store.id, l: 300 }, token);
    await stack.graphql(setLimit, { a: store.id, l: 400 }, token);
    await stack.graphql(setLimit, { a: store.id, l: null }, token);
    const verification = await verifyActivityLog(stack.db, 'billing', hq);

    // Assert
    expect(await entries('setCreditLimit')).toEqual([
      expect.objectContaining({ actor_id: demoUser('hq-admin').id, target_account_id: store.id, target_type: 'Account', target_id: store.id, before: null, after: { limit: 300, spent: 0 } }),
      expect.objectContaining({ before: { limit: 300, spent: 0 }, after: { limit: 400, spent: 0 } }),
      expect.objectContaining({ before: { limit: 400, spent: 0 }, after: null }),
    ]);
    expect((await entries('setCreditLimit'))[0].target_account_path).toEqual([hq, demoAccount('north').id, store.id]);
    expect(verification).toMatchObject({ valid: true, problems: [] });
  });

  it('logs billing details but never a provider token or card digits', async () => {
    // Arrange
    const token = await stack.login(demoUser('hq-admin').email);

    // Act
    const added = await stack.graphql(
      `mutation($a: ID!) { addPaymentMethod(accountId: $a, providerToken: "tok_never_logged_1", brand: "Visa", last4: "9876") { id } }`,
      { a: hq },
      token,
    );
    await stack.graphql(
      `mutation($a: ID!) { updateBillingProfile(accountId: $a, input: { billingEmail: "Finance@Retail.example", address: { city: "Lyon", country: "FR" } }) { plan } }`,
      { a: hq },
      token,
    );
    const text = (await stack.sql.query(`SELECT coalesce(string_agg(before::text || ' ' || after::text, ' '), '') AS t FROM billing.activity_log`)).rows[0].t;

    // Assert
    expect(await entries('addPaymentMethod')).toEqual([
      expect.objectContaining({ target_type: 'PaymentMethod', target_id: added.data.addPaymentMethod.id, after: expect.objectContaining({ brand: 'Visa', isDefault: true }) }),
    ]);
    expect(await entries('updateBillingProfile')).toEqual([
      expect.objectContaining({
        before: { plan: 'STANDARD', billingEmail: null, address: {} },
        after: { plan: 'STANDARD', billingEmail: 'finance@retail.example', address: { city: 'Lyon', country: 'FR' } },
      }),
    ]);
    expect(text).not.toContain('tok_never_logged_1');
    expect(text).not.toContain('9876');
  });

  it('a refused mutation writes no entry, a declined top-up included', async () => {
    // Arrange: South pays for itself with a card the fake provider declines
    const token = await stack.login(demoUser('hq-admin').email);
    const operator = await operatorLogin(stack);
    const south = demoAccount('south').id;
    await stack.graphql(`mutation($a: ID!) { enableOwnBalance(accountId: $a) { id } }`, { a: south }, token);
    await stack.graphql(`mutation($a: ID!) { addPaymentMethod(accountId: $a, providerToken: "tok_decline", brand: "Visa", last4: "0002") { id } }`, { a: south }, token);
    const before = (await entries()).length;
    const transfer = `mutation($i: TransferInput!) { transferBalance(input: $i) { id } }`;

    // Act
    const outcomes = {
      declined: codeOf(await stack.graphql(`mutation($i: TopUpInput!) { topUp(input: $i) { id } }`, { i: { accountId: south, units: 100, idempotencyKey: 'declined' } }, token)),
      negativeLimit: codeOf(await stack.graphql(`mutation($a: ID!) { setCreditLimit(accountId: $a, limit: -1) { id } }`, { a: demoAccount('store-n1').id }, token)),
      insufficient: codeOf(await stack.graphql(transfer, { i: { fromAccountId: south, toAccountId: hq, units: 5, idempotencyKey: 'empty-source' } }, token)),
      noOwnBalance: codeOf(await stack.graphql(`mutation($a: ID!) { setLowBalanceThreshold(accountId: $a, threshold: 5) { id } }`, { a: demoAccount('store-s2').id }, token)),
      prepaidInvoice: codeOf(await stack.graphql(`mutation($a: ID!) { generateInvoice(accountId: $a, period: "2025-01") { id } }`, { a: hq }, operator)),
    };

    // Assert
    expect(outcomes).toEqual({
      declined: 'PAYMENT_DECLINED',
      negativeLimit: 'BAD_USER_INPUT',
      insufficient: 'INSUFFICIENT_CREDIT',
      noOwnBalance: 'INVALID_STATE',
      prepaidInvoice: 'INVALID_STATE',
    });
    expect((await entries()).length).toBe(before);
  });

  it('entries hashed in PostgreSQL (one statement per entry) verify, whatever text their values hold', async () => {
    // Arrange: values whose canonical JSON escapes (quotes, backslashes, control characters, non-ASCII, emoji)
    const tree = demoAccount('store-s1').id;
    const odd = { 'z"key': 'a\\b "quoted" \u0001 é 名前 😀', list: [1, 'two', null, { nested: true }], empty: {} };
    const principal = { kind: 'SERVICE' as const, id: 'test', actingAccountId: null };
    const append = async (action: string) => {
      const client = await stack.sql.connect();
      try {
        await client.query('BEGIN');
        const entry = await appendActivity({ query: async (sql: string, parameters?: unknown[]) => (await client.query(sql, parameters)).rows }, 'billing', { principal, treeId: tree, targetAccountPath: [tree], action, before: odd, after: { odd } });
        await client.query('COMMIT');
        return entry;
      } finally {
        client.release();
      }
    };

    // Act: the tree's first entry starts its head, the next ones take the one-statement path
    const appended = [await append('first'), await append('second'), await append('third')];

    // Assert
    expect(appended.map((entry) => entry.seq)).toEqual([1, 2, 3]);
    const verification = await verifyActivityLog(stack.db, 'billing', tree);
    expect(verification).toEqual({ valid: true, checkedEntries: 3, problems: [] });
  });

  it('a replayed transfer logs once; reserve, capture and release (the send path) log nothing', async () => {
    // Arrange
    const token = await stack.login(demoUser('hq-admin').email);
    const north = demoAccount('north').id;
    await stack.graphql(`mutation($a: ID!) { enableOwnBalance(accountId: $a) { id } }`, { a: north }, token);
    const input = { fromAccountId: hq, toAccountId: north, units: 25, idempotencyKey: 'replayed-transfer' };
    const client = billingClientFor(stack);
    const before = (await entries()).length;

    // Act
    const first = await stack.graphql(`mutation($i: TransferInput!) { transferBalance(input: $i) { id } }`, { i: input }, token);
    const replay = await stack.graphql(`mutation($i: TransferInput!) { transferBalance(input: $i) { id } }`, { i: input }, token);
    const captured = await client.reserve({ accountId: demoAccount('store-n2').id, userId: null, units: 3, idempotencyKey: 'send-path-1', reference: 'batch-1' });
    await client.capture(captured.id);
    const released = await client.reserve({ accountId: demoAccount('store-n2').id, userId: null, units: 3, idempotencyKey: 'send-path-2', reference: 'batch-2' });
    await client.release(released.id);

    // Assert
    expect(replay.data.transferBalance.id).toBe(first.data.transferBalance.id);
    expect(await entries('transferBalance')).toEqual([
      expect.objectContaining({
        target_account_id: north,
        target_type: 'Transfer',
        target_id: first.data.transferBalance.id,
        before: { fromBalance: expect.any(Number), toBalance: 0 },
        after: expect.objectContaining({ toBalance: 25, fromAccountId: hq, toAccountId: north, units: 25 }),
      }),
    ]);
    expect((await entries()).length).toBe(before + 1);
  });
});

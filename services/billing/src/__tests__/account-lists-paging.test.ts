import { encodeCursor } from '@platform/db';
import { demoAccount } from '@platform/demo-data';
import { pageThrough, startTestStack, type TestStack } from '@platform/platform/testing';
import { expectError, expectNoErrors, typedDocument } from '@platform/testing';

type Page<TNode> = { edges: { cursor: string; node: TNode }[]; nodes: TNode[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null }; totalCount: number };
const PAGE = (fields: string) => `edges { cursor node { ${fields} } } nodes { ${fields} } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount`;
type Variables = { id: string; first?: number; after?: string | null };
const list = <TNode>(field: string, fields: string) =>
  typedDocument<{ account: Record<string, Page<TNode>> }, Variables>(`query List($id: ID!, $first: Int, $after: String) { account(id: $id) { ${field}(first: $first, after: $after) { ${PAGE(fields)} } } }`);

const TOP_UPS = list<{ id: string }>('topUps', 'id');
const TRANSFERS = list<{ id: string }>('transfers', 'id');
const INVOICES = list<{ id: string; period: string }>('invoices', 'id period');
const USER_CREDITS = list<{ userId: string }>('userCredits', 'userId');
const LEDGER = list<{ id: string }>('ledger', 'id');

describe("an account's billing lists page as connections (issue 14 item 1)", () => {
  let stack: TestStack;
  let hqAdmin: string;
  let accountId: string;
  const hq = demoAccount('hq').id;

  beforeAll(async () => {
    stack = await startTestStack();
    hqAdmin = await stack.login('hq.admin@retail.example');
    accountId = expectNoErrors(await stack.graphql(`mutation { createSubAccount(input: { parentId: "${hq}", name: "Billing paging" }) { id } }`, {}, hqAdmin)).createSubAccount.id;
    // Rows as billing records them; each statement stamps its rows with one created_at: ties the keyset must break.
    const method = await stack.sql.query(`INSERT INTO billing.payment_methods (account_id, provider_token, brand, last4, is_default) VALUES ($1, 'tok_paging', 'visa', '4242', true) RETURNING id`, [accountId]);
    await stack.sql.query(
      `INSERT INTO billing.top_ups (account_id, units, trigger, status, payment_method_id, idempotency_key)
       SELECT $1, 10 + n, 'MANUAL', 'SUCCEEDED', $2, 'paging-top-up-' || n FROM generate_series(1, 40) n`,
      [accountId, method.rows[0].id],
    );
    await stack.sql.query(
      `INSERT INTO billing.transfers (kind, from_account_id, to_account_id, units, idempotency_key)
       SELECT 'BALANCE', $1, $2, n, 'paging-transfer-' || n FROM generate_series(1, 25) n`,
      [hq, accountId],
    );
    await stack.sql.query(
      `INSERT INTO billing.invoices (account_id, period_start, period_end, timezone, currency, unit_price_minor, tax_rate_basis_points, units, subtotal_minor, tax_minor, total_minor)
       SELECT $1, d::date, (d + interval '1 month')::date, 'UTC', 'EUR', 5, 2000, 1, 5, 1, 6 FROM generate_series('2022-01-01'::date, '2023-06-01'::date, interval '1 month') d`,
      [accountId],
    );
    await stack.sql.query(
      `INSERT INTO billing.user_limits (account_id, user_id, credit_limit, period_start) SELECT $1, gen_random_uuid(), 100, date_trunc('month', now())::date FROM generate_series(1, 40)`,
      [accountId],
    );
    const operator = await stack.loginOperator();
    for (let i = 1; i <= 10; i++) {
      expectNoErrors(await stack.graphql(`mutation($i: CreditAdjustmentInput!) { adjustCredit(input: $i) { id } }`, { i: { accountId: hq, units: i, reason: `paging ${i}` } }, operator));
    }
  });
  afterAll(() => stack.close());

  const ids = async (sql: string, parameters: unknown[] = [accountId]) => (await stack.sql.query(sql, parameters)).rows.map((row) => row.id);

  describe.each([1, 7, 100])('with %i per page, each row exactly once, in the documented order', (pageSize) => {
    it('top-ups, newest first', async () => {
      const read = await pageThrough((page) => stack.graphql(TOP_UPS, { id: accountId, ...page }, hqAdmin), (data) => data.account.topUps, pageSize);
      expect(read.nodes.map((row) => row.id)).toEqual(await ids(`SELECT id FROM billing.top_ups WHERE account_id = $1 ORDER BY created_at DESC, id DESC`));
      expect(read.totalCount).toBe(40);
    });

    it('transfers, newest first', async () => {
      const read = await pageThrough((page) => stack.graphql(TRANSFERS, { id: accountId, ...page }, hqAdmin), (data) => data.account.transfers, pageSize);
      expect(read.nodes.map((row) => row.id)).toEqual(await ids(`SELECT id FROM billing.transfers WHERE to_account_id = $1 OR from_account_id = $1 ORDER BY created_at DESC, id DESC`));
      expect(read.totalCount).toBe(25);
    });

    it('invoices, newest period first', async () => {
      const read = await pageThrough((page) => stack.graphql(INVOICES, { id: accountId, ...page }, hqAdmin), (data) => data.account.invoices, pageSize);
      expect(read.nodes.map((row) => row.id)).toEqual(await ids(`SELECT id FROM billing.invoices WHERE account_id = $1 ORDER BY period_start DESC`));
      expect(read.nodes[0].period).toBe('2023-06');
      expect(read.totalCount).toBe(18);
    });

    it('user credits, by user id', async () => {
      const read = await pageThrough((page) => stack.graphql(USER_CREDITS, { id: accountId, ...page }, hqAdmin), (data) => data.account.userCredits, pageSize);
      expect(read.nodes.map((row) => row.userId)).toEqual(await ids(`SELECT user_id AS id FROM billing.user_limits WHERE account_id = $1 ORDER BY user_id`));
      expect(read.totalCount).toBe(40);
    });

    it('the ledger, newest first', async () => {
      const read = await pageThrough((page) => stack.graphql(LEDGER, { id: hq, ...page }, hqAdmin), (data) => data.account.ledger, pageSize);
      const expected = await ids(`SELECT e.id::text AS id FROM billing.ledger_entries e WHERE e.book = 'BALANCE' AND (e.paying_account_id = $1 OR e.spending_account_id = $1) ORDER BY e.id DESC`, [hq]);
      expect(expected.length).toBeGreaterThanOrEqual(10);
      expect(read.nodes.map((row) => row.id)).toEqual(expected);
      expect(read.totalCount).toBe(expected.length);
    });
  });

  it('the ledger keeps its deprecated entries and nextCursor, and they page like nodes and endCursor', async () => {
    // Act
    const response = expectNoErrors(await stack.graphql(`query($id: ID!) { account(id: $id) { ledger(first: 4) { entries { id } nextCursor nodes { id } pageInfo { endCursor } } } }`, { id: hq }, hqAdmin));

    // Assert
    const ledger = response.account.ledger as { entries: { id: string }[]; nextCursor: string; nodes: { id: string }[]; pageInfo: { endCursor: string } };
    expect(ledger.entries).toEqual(ledger.nodes);
    expect(ledger.nextCursor).toBe(ledger.pageInfo.endCursor);
  });

  it('refuses cursors of another kind of list, malformed cursors and page sizes out of bounds with BAD_USER_INPUT naming the argument', async () => {
    // Act
    const refusals = await Promise.all([
      stack.graphql(TOP_UPS, { id: accountId, after: encodeCursor(['2026-01-01', accountId]) }, hqAdmin),
      stack.graphql(INVOICES, { id: accountId, after: encodeCursor(['2026-01-01T00:00:00.000000Z', accountId]) }, hqAdmin),
      stack.graphql(USER_CREDITS, { id: accountId, after: encodeCursor(['not-a-user']) }, hqAdmin),
      stack.graphql(LEDGER, { id: hq, after: encodeCursor(['1; DROP TABLE x']) }, hqAdmin),
      stack.graphql(TRANSFERS, { id: accountId, after: 'garbage' }, hqAdmin),
      stack.graphql(TOP_UPS, { id: accountId, first: 201 }, hqAdmin),
      stack.graphql(INVOICES, { id: accountId, first: 101 }, hqAdmin),
    ]);

    // Assert
    expect(refusals.map((response) => expectError(response, 'BAD_USER_INPUT').extensions?.field)).toEqual(['after', 'after', 'after', 'after', 'after', 'first', 'first']);
  });

  it('without billing every billing list is null with FORBIDDEN on its own path; the account answers', async () => {
    // Arrange
    const advanced = await stack.login('n1.advanced@retail.example');

    // Act
    const response = await stack.graphql(
      `query($id: ID!) { account(id: $id) { name topUps { totalCount } transfers { totalCount } invoices { totalCount } userCredits { totalCount } ledger { totalCount } balance } }`,
      { id: demoAccount('store-n1').id },
      advanced,
    );

    // Assert
    expect(response.data?.account).toEqual({ name: 'Store N1', topUps: null, transfers: null, invoices: null, userCredits: null, ledger: null, balance: null });
    const fields = ['topUps', 'transfers', 'invoices', 'userCredits', 'ledger', 'balance'];
    expect(response.errors?.map((error) => [error.extensions?.code, error.path?.join('.')]).sort()).toEqual(fields.map((field) => ['FORBIDDEN', `account.${field}`]).sort());
  });
});

import { encodeCursor } from '@platform/db';
import { demoAccount, demoUser } from '@platform/demo-data';
import { pageThrough, startTestStack, type TestStack } from '@platform/platform/testing';
import { expectError, expectNoErrors, typedDocument } from '@platform/testing';

type Page<TNode> = { edges: { cursor: string; node: TNode }[]; nodes: TNode[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null }; totalCount: number };
const PAGE = (fields: string) => `edges { cursor node { ${fields} } } nodes { ${fields} } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount`;
type Variables = { id: string; first?: number; after?: string | null; filter?: Record<string, unknown> };

const MEMBERS = typedDocument<{ account: { members: Page<{ id: string; role: string; status: string; type: string }> | null } }, Variables>(
  `query Members($id: ID!, $filter: MemberFilter, $first: Int, $after: String) { account(id: $id) { members(filter: $filter, first: $first, after: $after) { ${PAGE('id role status type')} } } }`,
);
const INVITATIONS = typedDocument<{ account: { invitations: Page<{ id: string }> } }, Variables>(
  `query Invitations($id: ID!, $first: Int, $after: String) { account(id: $id) { invitations(first: $first, after: $after) { ${PAGE('id')} } } }`,
);
const API_KEYS = typedDocument<{ account: { apiKeys: Page<{ id: string }> } }, Variables>(
  `query ApiKeys($id: ID!, $first: Int, $after: String) { account(id: $id) { apiKeys(first: $first, after: $after) { ${PAGE('id')} } } }`,
);

describe("an account's members, invitations and API keys page as connections (issue 14 items 1, 2)", () => {
  let stack: TestStack;
  let hqAdmin: string;
  let accountId: string;

  beforeAll(async () => {
    stack = await startTestStack();
    hqAdmin = await stack.login('hq.admin@retail.example');
    const created = await stack.graphql(`mutation { createSubAccount(input: { parentId: "${demoAccount('hq').id}", name: "Paging department" }) { id } }`, {}, hqAdmin);
    accountId = expectNoErrors(created).createSubAccount.id;
    // 45 users; the first 15 joined Acme first, so they are guests here. Each statement stamps its rows with one created_at: ties the keyset must break.
    await stack.sql.query(`INSERT INTO identity.users (email, name) SELECT 'paging' || n || '@paging.example', 'Paging ' || n FROM generate_series(1, 45) n`);
    await stack.sql.query(
      `INSERT INTO identity.memberships (user_id, account_id, role)
       SELECT id, $1, 'BASIC_USER' FROM identity.users WHERE email ~ '^paging([1-9]|1[0-5])@'`,
      [demoAccount('acme').id],
    );
    await stack.sql.query(
      `INSERT INTO identity.memberships (user_id, account_id, role, status)
       SELECT id, $1, (ARRAY['ADMIN', 'ADVANCED_USER', 'BASIC_USER'])[1 + n % 3], CASE WHEN n % 10 = 0 THEN 'INACTIVE' ELSE 'ACTIVE' END
         FROM (SELECT id, substring(email from '[0-9]+')::int AS n FROM identity.users WHERE email LIKE 'paging%') u`,
      [accountId],
    );
    await stack.sql.query(
      `INSERT INTO identity.invitations (account_id, email, role, token_hash, status, invited_by, expires_at)
       SELECT $1, 'invitee' || n || '@paging.example', 'BASIC_USER', md5('paging' || n), 'SENT', $2, now() + interval '7 days' FROM generate_series(1, 25) n`,
      [accountId, demoUser('hq-admin').id],
    );
    await stack.sql.query(
      `INSERT INTO identity.api_keys (account_id, name, display_prefix, key_hash, role, created_by)
       SELECT $1, 'key ' || n, 'mpk_page' || n, md5('paging key' || n), 'ADVANCED_USER', $2 FROM generate_series(1, 25) n`,
      [accountId, demoUser('hq-admin').id],
    );
  });
  afterAll(() => stack.close());

  const ids = async (sql: string) => (await stack.sql.query(sql, [accountId])).rows.map((row) => row.id);

  describe.each([1, 7, 100])('with %i per page, each row exactly once, in the documented order', (pageSize) => {
    it('members, oldest first', async () => {
      const read = await pageThrough((page) => stack.graphql(MEMBERS, { id: accountId, ...page }, hqAdmin), (data) => data.account.members, pageSize);
      expect(read.nodes.map((m: { id: string }) => m.id)).toEqual(await ids(`SELECT id FROM identity.memberships WHERE account_id = $1 ORDER BY created_at, id`));
      expect(read.totalCount).toBe(45);
    });

    it('invitations, newest first', async () => {
      const read = await pageThrough((page) => stack.graphql(INVITATIONS, { id: accountId, ...page }, hqAdmin), (data) => data.account.invitations, pageSize);
      expect(read.nodes.map((i: { id: string }) => i.id)).toEqual(await ids(`SELECT id FROM identity.invitations WHERE account_id = $1 ORDER BY created_at DESC, id DESC`));
      expect(read.totalCount).toBe(25);
    });

    it('API keys, newest first', async () => {
      const read = await pageThrough((page) => stack.graphql(API_KEYS, { id: accountId, ...page }, hqAdmin), (data) => data.account.apiKeys, pageSize);
      expect(read.nodes.map((k: { id: string }) => k.id)).toEqual(await ids(`SELECT id FROM identity.api_keys WHERE account_id = $1 ORDER BY created_at DESC, id DESC`));
      expect(read.totalCount).toBe(25);
    });
  });

  it('filters members by role, status and type, and pages within the filter', async () => {
    // Act
    const ask = (filter: Record<string, unknown>, first = 100) => stack.graphql(MEMBERS, { id: accountId, filter, first }, hqAdmin);
    const admins = expectNoErrors(await ask({ role: 'ADMIN' })).account.members!;
    const inactive = expectNoErrors(await ask({ status: 'INACTIVE' })).account.members!;
    const guests = expectNoErrors(await ask({ type: 'GUEST' })).account.members!;
    const members = expectNoErrors(await ask({ type: 'MEMBER' })).account.members!;
    const activeGuestAdmins = await pageThrough((page) => stack.graphql(MEMBERS, { id: accountId, filter: { type: 'GUEST', role: 'ADMIN', status: 'ACTIVE' }, ...page }, hqAdmin), (data) => data.account.members, 2);

    // Assert: n % 3 = 0 are admins (15 of 45), n % 10 = 0 inactive (4), n <= 15 guests
    expect(admins.totalCount).toBe(15);
    expect(admins.nodes.every((m) => m.role === 'ADMIN')).toBe(true);
    expect(inactive.totalCount).toBe(4);
    expect(inactive.nodes.every((m) => m.status === 'INACTIVE')).toBe(true);
    expect(guests.totalCount).toBe(15);
    expect(guests.nodes.every((m) => m.type === 'GUEST')).toBe(true);
    expect(members.totalCount).toBe(30);
    expect(members.nodes.every((m) => m.type === 'MEMBER')).toBe(true);
    // n in 3, 6, 9, 12, 15 (none a multiple of 10): 5
    expect(activeGuestAdmins.nodes).toHaveLength(5);
    expect(activeGuestAdmins.totalCount).toBe(5);
    expect(activeGuestAdmins.nodes.every((m: { role: string; status: string; type: string }) => m.role === 'ADMIN' && m.status === 'ACTIVE' && m.type === 'GUEST')).toBe(true);
  });

  it('refuses a cursor of another kind of list, a malformed cursor and page sizes out of bounds with BAD_USER_INPUT naming the argument', async () => {
    // Arrange
    const accountCursor = encodeCursor([1, 'Name', accountId]);

    // Act
    const refusals = await Promise.all([
      stack.graphql(MEMBERS, { id: accountId, after: accountCursor }, hqAdmin),
      stack.graphql(MEMBERS, { id: accountId, after: encodeCursor(['2026-12-06 11:00:00+00', accountId]) }, hqAdmin),
      stack.graphql(API_KEYS, { id: accountId, after: 'garbage' }, hqAdmin),
      stack.graphql(MEMBERS, { id: accountId, first: 101 }, hqAdmin),
      stack.graphql(INVITATIONS, { id: accountId, first: 0 }, hqAdmin),
    ]);

    // Assert
    expect(refusals.map((response) => expectError(response, 'BAD_USER_INPUT').extensions?.field)).toEqual(['after', 'after', 'after', 'first', 'first']);
  });

  it('without users.view the members are null with FORBIDDEN on that path only; the account itself answers', async () => {
    // Arrange
    const basic = await stack.login('n1.marketing@retail.example');
    const marketing = demoAccount('store-n1-marketing').id;

    // Act
    const response = await stack.graphql(`query($id: ID!) { account(id: $id) { name members(first: 5) { totalCount } } }`, { id: marketing }, basic);

    // Assert
    expect(response.data?.account).toEqual({ name: 'Marketing', members: null });
    expect(expectError(response, 'FORBIDDEN').path).toEqual(['account', 'members']);
    expect(response.errors).toHaveLength(1);
  });
});

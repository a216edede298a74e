import { encodeCursor } from '@platform/db';
import { demoAccount } from '@platform/demo-data';
import { pageThrough, startTestStack, type TestStack } from '@platform/platform/testing';
import { expectError, expectNoErrors, typedDocument } from '@platform/testing';

type Entry = { id: string; action: string };
type Page = { edges: { cursor: string; node: Entry }[]; nodes: Entry[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null }; totalCount: number };
const LOG = typedDocument<{ activityLog: Page }, { id: string; first?: number; after?: string | null }>(
  `query Log($id: ID!, $first: Int, $after: String) { activityLog(accountId: $id, first: $first, after: $after) {
     edges { cursor node { id action } } nodes { id action } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } totalCount } }`,
);

describe('the activity log pages as a connection (issue 14 item 1)', () => {
  let stack: TestStack;
  let hqAdmin: string;
  let accountId: string;

  beforeAll(async () => {
    stack = await startTestStack();
    hqAdmin = await stack.login('hq.admin@retail.example');
    accountId = expectNoErrors(await stack.graphql(`mutation { createSubAccount(input: { parentId: "${demoAccount('north').id}", name: "Logged 0" }) { id } }`, {}, hqAdmin)).createSubAccount.id;
    for (let i = 1; i <= 24; i++) {
      expectNoErrors(await stack.graphql(`mutation($id: ID!, $name: String!) { updateAccountSettings(id: $id, input: { name: $name }) { id } }`, { id: accountId, name: `Logged ${i}` }, hqAdmin));
    }
  });
  afterAll(() => stack.close());

  it.each([1, 7, 100])('with %i per page, each entry exactly once, newest first', async (pageSize) => {
    // Act
    const read = await pageThrough((page) => stack.graphql(LOG, { id: accountId, ...page }, hqAdmin), (data) => data.activityLog, pageSize);

    // Assert
    const expected = await stack.sql.query(`SELECT id FROM hierarchy.activity_log WHERE target_account_id = $1 ORDER BY occurred_at DESC, id DESC`, [accountId]);
    expect(expected.rows).toHaveLength(25);
    expect(read.nodes.map((entry) => entry.id)).toEqual(expected.rows.map((row) => row.id));
    expect(read.totalCount).toBe(25);
  });

  it('keeps the deprecated entries, endCursor and hasNextPage, equal to nodes and pageInfo', async () => {
    // Act
    const page = expectNoErrors(
      await stack.graphql(`query($id: ID!) { activityLog(accountId: $id, first: 5) { entries { id } endCursor hasNextPage nodes { id } pageInfo { endCursor hasNextPage } } }`, { id: accountId }, hqAdmin),
    ).activityLog;

    // Assert
    expect(page.entries).toEqual(page.nodes);
    expect([page.endCursor, page.hasNextPage]).toEqual([page.pageInfo.endCursor, page.pageInfo.hasNextPage]);
  });

  it('refuses a millisecond cursor, a malformed one and page sizes out of bounds with BAD_USER_INPUT naming the argument', async () => {
    // Act
    const refusals = await Promise.all([
      stack.graphql(LOG, { id: accountId, after: encodeCursor([new Date().toISOString(), accountId]) }, hqAdmin),
      stack.graphql(LOG, { id: accountId, after: 'garbage' }, hqAdmin),
      stack.graphql(LOG, { id: accountId, first: 201 }, hqAdmin),
    ]);

    // Assert
    expect(refusals.map((response) => expectError(response, 'BAD_USER_INPUT').extensions?.field)).toEqual(['after', 'after', 'first']);
  });
});

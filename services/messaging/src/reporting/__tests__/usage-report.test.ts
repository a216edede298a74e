import crypto from 'node:crypto';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { acceptMessages, changeStatus, QUIET_STACK_ENV, rawSubtreeTotals } from './usage-fixtures';

const USAGE = `query($id: ID!, $from: Date!, $to: Date!, $groupBy: [UsageGroupBy!], $includeDescendants: Boolean) {
  account(id: $id) {
    usage(from: $from, to: $to, groupBy: $groupBy, includeDescendants: $includeDescendants) {
      scope groupBy includeDescendants
      totals { messages parts delivered failed costUnits }
      rows { childAccount { id name } day month userId senderId messages parts delivered failed costUnits }
    }
  }
}`;

// Demo seed messages are dated today; the report tests use a past year of their own.
const YEAR = { from: '2024-01-01', to: '2024-12-31' };
const id = (key: string) => demoAccount(key).id;
const SENDER_A = crypto.randomUUID();
const SENDER_B = crypto.randomUUID();

describe('usage reports (SPEC R1, R2)', () => {
  let stack: TestStack;
  let hqAdmin: string;
  let cancelledAtHq: string[];

  beforeAll(async () => {
    stack = await startTestStack({ env: QUIET_STACK_ENV });
    const n1 = await acceptMessages(stack.sql, [
      ...Array.from({ length: 3 }, () => ({ accountId: id('store-n1'), userId: demoUser('n1-advanced').id, senderId: SENDER_A, day: '2024-03-01', parts: 2 })),
    ]);
    const marketing = await acceptMessages(stack.sql, [
      { accountId: id('store-n1-marketing'), userId: demoUser('n1-marketing').id, senderId: SENDER_B, day: '2024-03-01' },
      { accountId: id('store-n1-marketing'), userId: demoUser('n1-marketing').id, senderId: SENDER_B, day: '2024-03-31' },
      { accountId: id('store-n1-marketing'), userId: demoUser('hq-admin').id, senderId: null, day: '2024-03-02' },
    ]);
    await acceptMessages(stack.sql, [{ accountId: id('store-s1'), userId: demoUser('accountant').id, day: '2024-04-10', parts: 3, costUnits: 6 }]);
    const hq = await acceptMessages(stack.sql, [
      { accountId: id('hq'), userId: demoUser('hq-admin').id, day: '2024-03-05' },
      { accountId: id('hq'), userId: demoUser('hq-admin').id, day: '2024-03-05' },
    ]);
    await changeStatus(stack.sql, n1.ids.slice(0, 2), 'DELIVERED');
    await changeStatus(stack.sql, [marketing.ids[0]], 'FAILED');
    await changeStatus(stack.sql, [marketing.ids[2]], 'EXPIRED');
    cancelledAtHq = [hq.ids[1]];
    await changeStatus(stack.sql, cancelledAtHq, 'CANCELLED');
    hqAdmin = await stack.login('hq.admin@retail.example');
  });
  afterAll(() => stack.close());

  it('answers the subtree totals of every level exactly as the raw messages sum', async () => {
    // Arrange
    const keys = ['hq', 'north', 'south', 'store-n1', 'store-n1-marketing', 'store-s1'];
    const expected = await rawSubtreeTotals(stack.sql, keys.map(id), YEAR.from, YEAR.to);

    for (const key of keys) {
      // Act
      const response = await stack.graphql(USAGE, { id: id(key), ...YEAR }, hqAdmin);

      // Assert
      expect(response.errors).toBeUndefined();
      expect(response.data.account.usage.totals).toEqual(expected.get(id(key)));
      expect(response.data.account.usage).toMatchObject({ scope: 'ALL', groupBy: [], includeDescendants: true, rows: [] });
    }
    expect(expected.get(id('hq'))).toEqual({ messages: 8, parts: 13, delivered: 2, failed: 2, costUnits: 16 });
  });

  it('breaks the usage down by child account, with the account itself as the row without a child', async () => {
    // Act
    const response = await stack.graphql(USAGE, { id: id('hq'), ...YEAR, groupBy: ['CHILD_ACCOUNT'] }, hqAdmin);

    // Assert
    const rows = response.data.account.usage.rows;
    expect(rows).toHaveLength(3);
    const byChild = new Map(rows.map((r: { childAccount: { name: string } | null; messages: number }) => [r.childAccount?.name ?? null, r.messages]));
    expect(byChild).toEqual(new Map([[null, 1], ['North Region', 6], ['South Region', 1]]));
  });

  it('breaks the usage down by day and by month in date order', async () => {
    // Act
    const byDay = await stack.graphql(USAGE, { id: id('north'), ...YEAR, groupBy: ['DAY'] }, hqAdmin);
    const byMonth = await stack.graphql(USAGE, { id: id('hq'), ...YEAR, groupBy: ['MONTH'] }, hqAdmin);

    // Assert
    expect(byDay.data.account.usage.rows.map((r: { day: string; messages: number }) => [r.day, r.messages])).toEqual([
      ['2024-03-01', 4],
      ['2024-03-02', 1],
      ['2024-03-31', 1],
    ]);
    expect(byMonth.data.account.usage.rows.map((r: { month: string; messages: number; costUnits: number }) => [r.month, r.messages, r.costUnits])).toEqual([
      ['2024-03', 7, 10],
      ['2024-04', 1, 6],
    ]);
  });

  it('breaks the usage down by user and by sender ID, alone or combined with other keys', async () => {
    // Act
    const byUser = await stack.graphql(USAGE, { id: id('north'), ...YEAR, groupBy: ['USER'] }, hqAdmin);
    const bySenderAndChild = await stack.graphql(USAGE, { id: id('store-n1'), ...YEAR, groupBy: ['SENDER_ID', 'CHILD_ACCOUNT'] }, hqAdmin);

    // Assert
    const users = new Map(byUser.data.account.usage.rows.map((r: { userId: string; messages: number }) => [r.userId, r.messages]));
    expect(users).toEqual(new Map([[demoUser('n1-advanced').id, 3], [demoUser('n1-marketing').id, 2], [demoUser('hq-admin').id, 1]]));
    const senders = bySenderAndChild.data.account.usage.rows.map((r: { childAccount: { id: string } | null; senderId: string | null; messages: number }) => [r.childAccount?.id ?? null, r.senderId, r.messages]);
    expect(senders).toEqual(
      expect.arrayContaining([
        [null, SENDER_A, 3],
        [id('store-n1-marketing'), SENDER_B, 2],
        [id('store-n1-marketing'), null, 1],
      ]),
    );
    expect(senders).toHaveLength(3);
    expect(bySenderAndChild.data.account.usage.totals.messages).toBe(6);
  });

  it('reports the account alone without its descendants', async () => {
    // Act
    const alone = await stack.graphql(USAGE, { id: id('store-n1'), ...YEAR, includeDescendants: false }, hqAdmin);
    const aloneByUser = await stack.graphql(USAGE, { id: id('store-n1'), ...YEAR, includeDescendants: false, groupBy: ['USER'] }, hqAdmin);

    // Assert
    expect(alone.data.account.usage.totals).toEqual({ messages: 3, parts: 6, delivered: 2, failed: 0, costUnits: 6 });
    expect(aloneByUser.data.account.usage.rows).toEqual([expect.objectContaining({ userId: demoUser('n1-advanced').id, messages: 3, childAccount: null })]);
  });

  it('counts a cancelled message nowhere and restricts the range to [from, to]', async () => {
    // Act
    const march5 = await stack.graphql(USAGE, { id: id('hq'), from: '2024-03-05', to: '2024-03-05' }, hqAdmin);
    const march = await stack.graphql(USAGE, { id: id('hq'), from: '2024-03-01', to: '2024-03-31' }, hqAdmin);

    // Assert
    expect(march5.data.account.usage.totals).toEqual({ messages: 1, parts: 1, delivered: 0, failed: 0, costUnits: 1 });
    expect(march.data.account.usage.totals.messages).toBe(7);
  });

  it('gives a basic user only the usage of their own messages (SPEC R2)', async () => {
    // Arrange
    const basic = await stack.login('n1.marketing@retail.example');

    // Act
    const response = await stack.graphql(USAGE, { id: id('store-n1-marketing'), ...YEAR, groupBy: ['USER'] }, basic);

    // Assert
    expect(response.errors).toBeUndefined();
    expect(response.data.account.usage.scope).toBe('OWN');
    expect(response.data.account.usage.totals).toEqual({ messages: 2, parts: 2, delivered: 0, failed: 1, costUnits: 2 });
    expect(response.data.account.usage.rows.map((r: { userId: string }) => r.userId)).toEqual([demoUser('n1-marketing').id]);
  });

  it('answers NOT_FOUND for an account outside the caller\'s subtree and FORBIDDEN without a report permission', async () => {
    // Arrange
    const advanced = await stack.login('n1.advanced@retail.example');
    const accountant = await stack.login('accountant@acme.example');
    await stack.sql.query(
      `UPDATE identity.memberships SET revoked_permissions = ARRAY['reports'] WHERE user_id = $1 AND account_id = $2`,
      [demoUser('accountant').id, id('store-s1')],
    );

    // Act
    const above = await stack.graphql(USAGE, { id: id('north'), ...YEAR }, advanced);
    const own = await stack.graphql(USAGE, { id: id('store-n1'), ...YEAR }, advanced);
    const revoked = await stack.graphql(USAGE, { id: id('store-s1'), ...YEAR }, accountant);

    // Assert
    expect(above.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(own.data.account.usage.totals.messages).toBe(6);
    expect(revoked.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it.each([
    [{ from: '2024-03-02', to: '2024-03-01' }, 'from'],
    [{ from: '2024-01-01', to: '2025-01-01' }, 'to'],
  ])('refuses the range %j with BAD_USER_INPUT', async (range, field) => {
    // Act
    const response = await stack.graphql(USAGE, { id: id('hq'), ...range }, hqAdmin);

    // Assert
    expect(response.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it.each([
    [{ from: '2024-02-30', to: '2024-03-01' }, '$from'],
    [{ from: '2024-03-01', to: '1 April' }, '$to'],
  ])('refuses the day that is not a Date in %j, naming its variable; the report is null', async (range, variable) => {
    // Act
    const response = await stack.graphql(USAGE, { id: id('hq'), ...range }, hqAdmin);

    // Assert
    expect(response.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0].message).toContain(`Variable "${variable}"`);
    expect(response.errors?.[0].message).toContain('YYYY-MM-DD');
    expect(response.data?.account?.usage ?? null).toBeNull();
  });

  it('accepts a whole leap year of 366 days', async () => {
    const response = await stack.graphql(USAGE, { id: id('hq'), ...YEAR }, hqAdmin);
    expect(response.errors).toBeUndefined();
  });

  it('applies the usage of a bulk send of 10,000 messages in four statements', async () => {
    // Arrange
    const messages = Array.from({ length: 10_000 }, (_, i) => ({
      accountId: id(i % 2 ? 'store-s2' : 'store-s2-rostering'),
      userId: demoUser('hq-admin').id,
      day: '2024-06-01',
      parts: 1 + (i % 3),
    }));

    // Act
    const { usageStatements } = await acceptMessages(stack.sql, messages);
    const response = await stack.graphql(USAGE, { id: id('south'), from: '2024-06-01', to: '2024-06-01', groupBy: ['CHILD_ACCOUNT'] }, hqAdmin);

    // Assert
    expect(usageStatements).toBe(4);
    expect(response.data.account.usage.totals).toEqual((await rawSubtreeTotals(stack.sql, [id('south')], '2024-06-01', '2024-06-01')).get(id('south')));
    expect(response.data.account.usage.totals.messages).toBe(10_000);
    expect(response.data.account.usage.rows).toEqual([expect.objectContaining({ childAccount: { id: id('store-s2'), name: 'Store S2' }, messages: 10_000 })]);
  });

  it('moves the usage history with a moved account, in the move (SPEC H7)', async () => {
    // Arrange
    const before = await rawSubtreeTotals(stack.sql, [id('north'), id('south')], YEAR.from, YEAR.to);
    const movedUsage = (await rawSubtreeTotals(stack.sql, [id('store-n1')], YEAR.from, YEAR.to)).get(id('store-n1'))!;

    // Act
    const move = await stack.graphql(`mutation($id: ID!, $to: ID!) { moveAccount(id: $id, newParentId: $to) { id } }`, { id: id('store-n1'), to: id('south') }, hqAdmin);
    const north = await stack.graphql(USAGE, { id: id('north'), ...YEAR, groupBy: ['CHILD_ACCOUNT'] }, hqAdmin);
    const south = await stack.graphql(USAGE, { id: id('south'), ...YEAR, groupBy: ['CHILD_ACCOUNT', 'USER'] }, hqAdmin);
    const hq = await stack.graphql(USAGE, { id: id('hq'), ...YEAR, groupBy: ['CHILD_ACCOUNT'] }, hqAdmin);

    // Assert
    expect(move.errors).toBeUndefined();
    expect(north.data.account.usage.totals.messages).toBe(before.get(id('north'))!.messages - movedUsage.messages);
    expect(north.data.account.usage.rows).toEqual([]);
    expect(south.data.account.usage.totals.messages).toBe(before.get(id('south'))!.messages + movedUsage.messages);
    expect(south.data.account.usage.rows).toEqual(expect.arrayContaining([expect.objectContaining({ childAccount: expect.objectContaining({ id: id('store-n1') }), userId: demoUser('n1-advanced').id, messages: 3 })]));
    const after = await rawSubtreeTotals(stack.sql, [id('hq'), id('north'), id('south')], YEAR.from, YEAR.to);
    expect(hq.data.account.usage.totals).toEqual(after.get(id('hq')));
    expect(south.data.account.usage.totals).toEqual(after.get(id('south')));
  });
});

import { encodeCursor } from '@platform/db';
import { demoAccount } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { codeOf } from '@platform/testing';

const CREATE = `mutation($parentId: ID!, $name: String!) { createSubAccount(input: { parentId: $parentId, name: $name }) { id depth parent { id } } }`;
const MOVE = `mutation($id: ID!, $to: ID!) { moveAccount(id: $id, newParentId: $to) { id depth parent { id } } }`;
const CLOSE = `mutation($id: ID!, $cascade: Boolean) { closeAccount(id: $id, cascade: $cascade) { id status } }`;
const ACCOUNT = `query($id: ID!) { account(id: $id) { id depth status effectiveStatus ancestors { id } } }`;


async function snapshot(stack: TestStack): Promise<string> {
  const accounts = await stack.sql.query(`SELECT id, parent_id, path, depth, name, status FROM hierarchy.accounts ORDER BY id`);
  const settings = await stack.sql.query(`SELECT account_id, overrides FROM hierarchy.account_settings ORDER BY account_id`);
  return JSON.stringify([accounts.rows, settings.rows]);
}

describe('account tree structure (SPEC H1, H6, H7)', () => {
  let stack: TestStack;
  let hqAdmin: string;
  let northAdmin: string;

  beforeAll(async () => {
    stack = await startTestStack();
    hqAdmin = await stack.login('hq.admin@retail.example');
    northAdmin = await stack.login('north.admin@retail.example');
  });
  afterAll(() => stack.close());

  it('creates sub-accounts down to level 5 and refuses a level-6 child with MAX_DEPTH_EXCEEDED, writing nothing', async () => {
    // Arrange: Marketing of Store N1 is at level 3
    const level4 = await stack.graphql(CREATE, { parentId: demoAccount('store-n1-marketing').id, name: 'Campaign A' }, hqAdmin);
    const level5 = await stack.graphql(CREATE, { parentId: level4.data.createSubAccount.id, name: 'Campaign A1' }, northAdmin);
    const before = await snapshot(stack);

    // Act
    const level6 = await stack.graphql(CREATE, { parentId: level5.data.createSubAccount.id, name: 'Too deep' }, hqAdmin);

    // Assert
    expect(level4.data.createSubAccount.depth).toBe(4);
    expect(level5.data.createSubAccount).toMatchObject({ depth: 5, parent: { id: level4.data.createSubAccount.id } });
    expect(codeOf(level6)).toBe('MAX_DEPTH_EXCEEDED');
    expect(await snapshot(stack)).toBe(before);
  });

  it.each([
    ['an empty name', { name: '' }, 'BAD_USER_INPUT'],
    ['a blank name', { name: '   ' }, 'BAD_USER_INPUT'],
    ['a 200-character name', { name: 'x'.repeat(200) }, 'BAD_USER_INPUT'],
    ['a control character in the name', { name: 'bad\u0007name' }, 'BAD_USER_INPUT'],
    ['a malformed parent id', { parentId: 'not-an-id' }, 'BAD_USER_INPUT'],
    ['an unknown parent id', { parentId: '00000000-0000-4000-8000-000000000000' }, 'NOT_FOUND'],
  ])('refuses %s with %s and writes nothing', async (_label, override, code) => {
    // Arrange
    const before = await snapshot(stack);

    // Act
    const response = await stack.graphql(CREATE, { parentId: demoAccount('south').id, name: 'Valid', ...override }, hqAdmin);

    // Assert
    expect(codeOf(response)).toBe(code);
    expect(response.data).toBeNull();
    expect(await snapshot(stack)).toBe(before);
  });

  it('checks the depth limit for the whole moved subtree', async () => {
    // Arrange: North's deepest descendant is now at level 5 (Campaign A1)
    const before = await snapshot(stack);

    // Act: under South (level 1), North's subtree would reach level 6
    const response = await stack.graphql(MOVE, { id: demoAccount('north').id, to: demoAccount('south').id }, hqAdmin);

    // Assert
    expect(codeOf(response)).toBe('MAX_DEPTH_EXCEEDED');
    expect(await snapshot(stack)).toBe(before);
  });

  it.each([
    ['under its own descendant', 'north', 'store-n1', 'INVALID_MOVE'],
    ['under itself', 'store-n2', 'store-n2', 'INVALID_MOVE'],
    ['into another tree (invisible to the caller)', 'store-n2', 'acme', 'NOT_FOUND'],
    ['a parent account', 'hq', 'north', 'FORBIDDEN'],
  ])('refuses a move %s', async (_label, accountKey, targetKey, code) => {
    const before = await snapshot(stack);
    const response = await stack.graphql(MOVE, { id: demoAccount(accountKey).id, to: demoAccount(targetKey).id }, hqAdmin);
    expect(codeOf(response)).toBe(code);
    expect(await snapshot(stack)).toBe(before);
  });

  it('moves a subtree: depths and paths follow, and visibility follows immediately', async () => {
    // Arrange
    const storeN2 = demoAccount('store-n2').id;
    const seenBefore = await stack.graphql(ACCOUNT, { id: storeN2 }, northAdmin);

    // Act
    const moved = await stack.graphql(MOVE, { id: storeN2, to: demoAccount('south').id }, hqAdmin);

    // Assert
    expect(seenBefore.data.account.id).toBe(storeN2);
    expect(moved.data.moveAccount).toEqual({ id: storeN2, depth: 2, parent: { id: demoAccount('south').id } });
    expect(codeOf(await stack.graphql(ACCOUNT, { id: storeN2 }, northAdmin))).toBe('NOT_FOUND');
    const department = await stack.graphql(ACCOUNT, { id: demoAccount('store-n2-rostering').id }, hqAdmin);
    expect(department.data.account.ancestors.map((a: { id: string }) => a.id)).toEqual([
      demoAccount('hq').id,
      demoAccount('south').id,
      storeN2,
    ]);
    const paths = await stack.sql.query(`SELECT count(*)::int AS n FROM hierarchy.accounts WHERE path @> ARRAY[$1::uuid] AND path[2] = $2`, [
      storeN2,
      demoAccount('south').id,
    ]);
    expect(paths.rows[0].n).toBe(4);
  });

  it('a sub-account admin cannot move or close its own account (decided by the parent\'s managers)', async () => {
    const before = await snapshot(stack);
    const move = await stack.graphql(MOVE, { id: demoAccount('north').id, to: demoAccount('store-n1').id }, northAdmin);
    const close = await stack.graphql(CLOSE, { id: demoAccount('north').id, cascade: true }, northAdmin);
    const suspend = await stack.graphql(`mutation($id: ID!) { suspendAccount(id: $id) { status } }`, { id: demoAccount('north').id }, northAdmin);
    expect(codeOf(move)).toBe('FORBIDDEN');
    expect(codeOf(close)).toBe('FORBIDDEN');
    expect(codeOf(suspend)).toBe('FORBIDDEN');
    expect(await snapshot(stack)).toBe(before);
  });

  it('refuses to close an account with open children unless the close cascades', async () => {
    // Arrange
    const storeN1 = demoAccount('store-n1').id;
    const before = await snapshot(stack);

    // Act
    const refused = await stack.graphql(CLOSE, { id: storeN1 }, hqAdmin);
    const unchanged = await snapshot(stack);
    const cascaded = await stack.graphql(CLOSE, { id: storeN1, cascade: true }, hqAdmin);

    // Assert
    expect(codeOf(refused)).toBe('ACCOUNT_HAS_OPEN_CHILDREN');
    expect(unchanged).toBe(before);
    expect(cascaded.data.closeAccount).toEqual({ id: storeN1, status: 'CLOSED' });
    const open = await stack.sql.query(`SELECT count(*)::int AS n FROM hierarchy.accounts WHERE path @> ARRAY[$1::uuid] AND status <> 'CLOSED'`, [storeN1]);
    expect(open.rows[0].n).toBe(0);
  });

  it('a closed account keeps its data, is visible to ancestors\' admins, and its own users lose access', async () => {
    // Arrange: Store N1 and its departments were closed by the previous test
    const marketing = demoAccount('store-n1-marketing').id;
    const basicUserLogin = await stack.graphql(`mutation { login(email: "n1.marketing@retail.example", password: "demo-password") { token activeAccount { id } } }`);

    // Act
    const asHq = await stack.graphql(ACCOUNT, { id: marketing }, hqAdmin);
    const asMember = await stack.graphql(ACCOUNT, { id: marketing }, basicUserLogin.data.login.token);
    const childOfClosed = await stack.graphql(CREATE, { parentId: marketing, name: 'New' }, hqAdmin);
    const messages = await stack.sql.query(`SELECT count(*)::int AS n FROM messaging.messages WHERE account_id = $1`, [marketing]);

    // Assert
    expect(asHq.data.account).toMatchObject({ status: 'CLOSED', effectiveStatus: 'CLOSED' });
    expect(basicUserLogin.data.login.activeAccount).toBeNull();
    expect(codeOf(asMember)).toBe('NOT_FOUND');
    expect(codeOf(childOfClosed)).toBe('ACCOUNT_CLOSED');
    expect(messages.rows[0].n).toBeGreaterThan(0);
  });

  it('suspends and resumes: descendants are effectively suspended and cannot grow', async () => {
    // Arrange
    const south = demoAccount('south').id;

    // Act
    const suspended = await stack.graphql(`mutation($id: ID!) { suspendAccount(id: $id) { status } }`, { id: south }, hqAdmin);
    const store = await stack.graphql(ACCOUNT, { id: demoAccount('store-s1').id }, hqAdmin);
    const create = await stack.graphql(CREATE, { parentId: demoAccount('store-s1').id, name: 'Blocked' }, hqAdmin);
    const suspendAgain = await stack.graphql(`mutation($id: ID!) { suspendAccount(id: $id) { status } }`, { id: south }, hqAdmin);
    const resumed = await stack.graphql(`mutation($id: ID!) { resumeAccount(id: $id) { status effectiveStatus } }`, { id: south }, hqAdmin);

    // Assert
    expect(suspended.data.suspendAccount.status).toBe('SUSPENDED');
    expect(store.data.account).toMatchObject({ status: 'ACTIVE', effectiveStatus: 'SUSPENDED' });
    expect(codeOf(create)).toBe('ACCOUNT_SUSPENDED');
    expect(codeOf(suspendAgain)).toBe('INVALID_STATE');
    expect(resumed.data.resumeAccount).toEqual({ status: 'ACTIVE', effectiveStatus: 'ACTIVE' });
  });
});

describe('account settings with inheritance (SPEC H5)', () => {
  let stack: TestStack;
  let hqAdmin: string;
  const SETTINGS = `query($id: ID!) { account(id: $id) { settings { timezone smsLimits { daily monthly } optOutKeywords
    origin(key: TIMEZONE) { source sourceDepth sourceAccount { id } } } } }`;
  const UPDATE = `mutation($id: ID!, $input: AccountSettingsInput!) { updateAccountSettings(id: $id, input: $input) { id name } }`;

  beforeAll(async () => {
    stack = await startTestStack();
    hqAdmin = await stack.login('hq.admin@retail.example');
  });
  afterAll(() => stack.close());

  it('shows the nearest ancestor\'s value and where it came from; clearing goes back to inheriting', async () => {
    // Arrange
    const north = demoAccount('north').id;
    const store = demoAccount('store-n1').id;

    // Act
    const inheritedFromRoot = await stack.graphql(SETTINGS, { id: store }, hqAdmin);
    await stack.graphql(UPDATE, { id: north, input: { timezone: 'Europe/Paris', smsLimits: { daily: 100, monthly: 2000 } } }, hqAdmin);
    const inheritedFromRegion = await stack.graphql(SETTINGS, { id: store }, hqAdmin);
    const own = await stack.graphql(SETTINGS, { id: north }, hqAdmin);
    await stack.graphql(UPDATE, { id: north, input: { clear: ['TIMEZONE'] } }, hqAdmin);
    const cleared = await stack.graphql(SETTINGS, { id: store }, hqAdmin);

    // Assert
    expect(inheritedFromRoot.data.account.settings).toMatchObject({
      timezone: 'Europe/London',
      smsLimits: { daily: null, monthly: null },
      origin: { source: 'INHERITED', sourceDepth: 0, sourceAccount: { id: demoAccount('hq').id } },
    });
    expect(inheritedFromRegion.data.account.settings).toMatchObject({
      timezone: 'Europe/Paris',
      smsLimits: { daily: 100, monthly: 2000 },
      origin: { source: 'INHERITED', sourceDepth: 1, sourceAccount: { id: north } },
    });
    expect(own.data.account.settings.origin.source).toBe('OWN');
    expect(cleared.data.account.settings).toMatchObject({ timezone: 'Europe/London', smsLimits: { daily: 100, monthly: 2000 } });
  });

  it('hides the source account when the caller cannot see it, but still says it is inherited', async () => {
    const northAdmin = await stack.login('north.admin@retail.example');
    const response = await stack.graphql(SETTINGS, { id: demoAccount('north').id }, northAdmin);
    expect(response.data.account.settings.origin).toEqual({ source: 'INHERITED', sourceDepth: 0, sourceAccount: null });
  });

  it.each([
    ['an unknown time zone', { timezone: 'Mars/Olympus_Mons' }],
    ['a negative daily limit', { smsLimits: { daily: -1 } }],
    ['a daily limit above the monthly one', { smsLimits: { daily: 10, monthly: 5 } }],
    ['a window that ends before it starts', { sendingWindow: { days: ['MONDAY'], start: '18:00', end: '09:00' } }],
    ['a window with a malformed time', { sendingWindow: { days: ['MONDAY'], start: '9am', end: '18:00' } }],
    ['an opt-out keyword with spaces', { optOutKeywords: ['STOP NOW'] }],
    ['no opt-out keyword', { optOutKeywords: [] }],
    ['a malformed default sender id', { defaultSenderId: 'sender-1' }],
    ['a setting both set and cleared', { timezone: 'UTC', clear: ['TIMEZONE'] }],
    ['an empty name', { name: ' ' }],
  ])('refuses %s with BAD_USER_INPUT and writes nothing', async (_label, input) => {
    const before = await snapshot(stack);
    const response = await stack.graphql(UPDATE, { id: demoAccount('store-s1').id, input }, hqAdmin);
    expect(codeOf(response)).toBe('BAD_USER_INPUT');
    expect(await snapshot(stack)).toBe(before);
  });

  it('normalises keywords and applies a valid sending window', async () => {
    const response = await stack.graphql(
      `mutation($id: ID!) { updateAccountSettings(id: $id, input: { optOutKeywords: ["stop", "Arrêt", "STOP"],
        sendingWindow: { days: [FRIDAY, MONDAY], start: "09:00", end: "17:30" } }) {
        settings { optOutKeywords sendingWindow { days start end } } } }`,
      { id: demoAccount('store-s1').id },
      hqAdmin,
    );
    expect(response.data.updateAccountSettings.settings).toEqual({
      optOutKeywords: ['STOP', 'ARRÊT'],
      sendingWindow: { days: ['MONDAY', 'FRIDAY'], start: '09:00', end: '17:30' },
    });
  });
});

describe('tree queries (SPEC H4)', () => {
  let stack: TestStack;
  let hqAdmin: string;

  beforeAll(async () => {
    stack = await startTestStack();
    hqAdmin = await stack.login('hq.admin@retail.example');
  });
  afterAll(() => stack.close());

  it('lists descendants with a depth filter and cursor pagination, parents before children', async () => {
    // Arrange
    const query = `query($id: ID!, $first: Int, $after: String, $maxDepth: Int) { account(id: $id) {
      descendants(maxDepth: $maxDepth, first: $first, after: $after) { nodes { id depth name } pageInfo { endCursor } } } }`;

    // Act
    const twoLevels = await stack.graphql(query, { id: demoAccount('hq').id, maxDepth: 2 }, hqAdmin);
    const all = await stack.graphql(query, { id: demoAccount('hq').id }, hqAdmin);
    const pages: { id: string }[] = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page++) {
      const response = await stack.graphql(query, { id: demoAccount('hq').id, first: 4, after }, hqAdmin);
      const rows = response.data.account.descendants.nodes as { id: string; depth: number; name: string }[];
      if (rows.length === 0) break;
      pages.push(...rows);
      after = response.data.account.descendants.pageInfo.endCursor;
    }

    // Assert
    expect(twoLevels.data.account.descendants.nodes.map((a: { depth: number }) => a.depth)).toEqual([1, 1, 2, 2, 2, 2]);
    expect(all.data.account.descendants.nodes).toHaveLength(18);
    const depths = all.data.account.descendants.nodes.map((a: { depth: number }) => a.depth);
    expect([...depths].sort()).toEqual(depths);
    expect(pages.map((p) => p.id)).toEqual(all.data.account.descendants.nodes.map((a: { id: string }) => a.id));
  });

  it('refuses a malformed cursor and out-of-range page sizes', async () => {
    const query = `query($id: ID!, $first: Int, $after: String, $maxDepth: Int) { account(id: $id) { descendants(maxDepth: $maxDepth, first: $first, after: $after) { nodes { id } } } }`;
    for (const variables of [{ after: 'garbage' }, { after: encodeCursor([1, 'x', 'not-an-id']) }, { first: 0 }, { first: 501 }, { maxDepth: 0 }]) {
      const response = await stack.graphql(query, { id: demoAccount('hq').id, ...variables }, hqAdmin);
      expect(codeOf(response)).toBe('BAD_USER_INPUT');
    }
  });

  it('the breadcrumb stops at the highest account the caller can see; the parent above it is null', async () => {
    const advanced = await stack.login('n1.advanced@retail.example');
    const response = await stack.graphql(
      `query($id: ID!) { account(id: $id) { ancestors { name } parent { name parent { name } } } }`,
      { id: demoAccount('store-n1-rostering').id },
      advanced,
    );
    expect(response.data.account).toEqual({ ancestors: [{ name: 'Store N1' }], parent: { name: 'Store N1', parent: null } });
  });

  it('children and the whole visible tree come back in one request', async () => {
    const response = await stack.graphql(`{ accountTree { name depth children { nodes { name } } } }`, {}, hqAdmin);
    const tree = response.data.accountTree as { name: string; depth: number; children: { nodes: { name: string }[] } }[];
    expect(tree).toHaveLength(19);
    expect(tree[0]).toEqual({ name: 'Retail Chain HQ', depth: 0, children: { nodes: [{ name: 'North Region' }, { name: 'South Region' }] } });
  });
});

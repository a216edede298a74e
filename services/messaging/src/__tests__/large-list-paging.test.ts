import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { expectError, expectNoErrors } from '@platform/testing';
import { byUuid, pageBackward, pageForward, pagesOf } from './paging-kit';

jest.setTimeout(300_000);

const CONTACTS = 10_000;
const CONTACT_PAGE = `query($a: ID!, $g: ID, $filter: ContactFilter, $orderBy: ContactOrder, $first: Int, $after: String) {
  contacts(accountId: $a, groupId: $g, filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;
const MESSAGE_PAGE = `query($a: ID!, $filter: MessageFilter, $first: Int, $after: String, $last: Int, $before: String) {
  messages(accountId: $a, filter: $filter, first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

/**
 * A client pages through 10,000 contacts imported in one CSV file (one transaction: they share a
 * created_at) and through the 10,000 messages of one bulk send to them (they share one too), with
 * page sizes 7 and 100 over every row and 1 over 300 rows (each page is a request through the
 * gateway), and gets every row exactly once, in the documented order (issue 14).
 */
describe('paging through 10,000 contacts of one import and 10,000 messages of one bulk send', () => {
  let stack: TestStack;
  let token: string;
  let group: string;
  let batchId: string;
  /** the account's contacts in the documented default order: created time, then id */
  let contactIds: string[];
  /** the batch's messages in the documented order: newest first, then id descending */
  let messageIds: string[];
  const store = demoAccount('store-s2').id;

  const contactPages = (variables: Record<string, unknown> = {}) => pagesOf(stack, token, CONTACT_PAGE, { a: store, ...variables }, (data) => data.contacts);
  const messagePages = (filter: Record<string, unknown> = { batchId }) => pagesOf(stack, token, MESSAGE_PAGE, { a: store, filter }, (data) => data.messages);

  beforeAll(async () => {
    // The worker is off: the bulk send's messages stay QUEUED while the client pages.
    stack = await startTestStack({ env: { MESSAGING_WORKER_INTERVAL_MS: '0', WEBHOOK_DISPATCH_INTERVAL_MS: '0', BILLING_SWEEP_INTERVAL_MS: '0', GATEWAY_MAX_BODY_BYTES: '500000' } });
    token = await stack.login(demoUser('hq-admin').email);
    const gql = async (query: string, variables: Record<string, unknown>) => expectNoErrors(await stack.graphql(query, variables, token));
    const settings = `mutation($id: ID!, $input: AccountSettingsInput!) { updateAccountSettings(id: $id, input: $input) { id } }`;
    const limits = { daily: 1_000_000, monthly: 10_000_000 };
    await gql(settings, { id: demoAccount('hq').id, input: { sendingWindow: { days: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'], start: '00:00', end: '23:59' } } });
    await gql(settings, { id: demoAccount('south').id, input: { smsLimits: limits } });
    await gql(settings, { id: store, input: { smsLimits: limits } });
    await gql(`mutation($a: ID!) { setCreditLimit(accountId: $a, limit: 5000000) { id } }`, { a: store });
    await gql(`mutation($a: ID!) { enableOwnBalance(accountId: $a) { id } }`, { a: store });
    await gql(`mutation($i: TransferInput!) { transferBalance(input: $i) { units } }`, { i: { fromAccountId: demoAccount('hq').id, toAccountId: store, units: 20_000, idempotencyKey: crypto.randomUUID() } });

    group = (await gql(`mutation($a: ID!) { createContactGroup(accountId: $a, name: "Imported 10k") { id } }`, { a: store })).createContactGroup.id;
    // 97 first names: about 103 contacts share each one (ties of the NAME order)
    const csv = ['phone,first_name', ...Array.from({ length: CONTACTS }, (_, i) => `+447400${String(i).padStart(6, '0')},Name${String(i % 97).padStart(2, '0')}`)].join('\n');
    const imported = await gql(`mutation($a: ID!, $csv: String!, $g: ID) { importContacts(accountId: $a, csv: $csv, groupId: $g) { imported } }`, { a: store, csv, g: group });
    expect(imported.importContacts.imported).toBe(CONTACTS);
    const sent = await gql(`mutation($input: SendBulkInput!) { sendBulk(input: $input) { batchId accepted } }`, { input: { accountId: store, groupIds: [group], body: 'Spring sale' } });
    expect(sent.sendBulk.accepted).toBe(CONTACTS);
    batchId = sent.sendBulk.batchId;

    const ties = await stack.sql.query(
      `SELECT (SELECT count(DISTINCT created_at)::int FROM messaging.contacts c JOIN messaging.group_members m ON m.contact_id = c.id WHERE m.group_id = $1) AS contacts,
              (SELECT count(DISTINCT created_at)::int FROM messaging.messages WHERE batch_id = $2) AS messages`,
      [group, batchId],
    );
    expect(ties.rows[0]).toEqual({ contacts: 1, messages: 1 });
    contactIds = (await stack.sql.query(`SELECT id FROM messaging.contacts WHERE account_id = $1 ORDER BY created_at, id`, [store])).rows.map((r) => r.id);
    messageIds = (await stack.sql.query(`SELECT id FROM messaging.messages WHERE batch_id = $1`, [batchId])).rows.map((r) => r.id).sort(byUuid).reverse();
  });
  afterAll(() => stack?.close());

  describe('contacts (oldest first, then id)', () => {
    it('first: 7 and first: 100 return every contact exactly once, in order; first: 1 the first 300', async () => {
      // Act: three clients page at once
      const [bySeven, byHundred, byOne] = await Promise.all([pageForward(contactPages(), 7), pageForward(contactPages(), 100), pageForward(contactPages(), 1, 300)]);

      // Assert
      expect(bySeven).toHaveLength(contactIds.length);
      expect(bySeven).toEqual(contactIds);
      expect(byHundred).toEqual(contactIds);
      expect(byOne).toEqual(contactIds.slice(0, 300));
    });

    it('counts the contacts of the group on every page (totalCount)', async () => {
      // Arrange
      const counted = `query($a: ID!, $g: ID, $after: String) { contacts(accountId: $a, groupId: $g, first: 5, after: $after) { pageInfo { endCursor } totalCount } }`;
      const first = expectNoErrors(await stack.graphql(counted, { a: store, g: group }, token)).contacts;

      // Act
      const later = expectNoErrors(await stack.graphql(counted, { a: store, g: group, after: first.pageInfo.endCursor }, token)).contacts;

      // Assert
      expect([first.totalCount, later.totalCount]).toEqual([CONTACTS, CONTACTS]);
    });

    it('orderBy NAME with first: 100 returns the group by first name, ties by id, each contact once', async () => {
      // Arrange
      const { rows } = await stack.sql.query(`SELECT c.id, c.first_name FROM messaging.contacts c JOIN messaging.group_members m ON m.contact_id = c.id WHERE m.group_id = $1`, [group]);
      const expected = rows.sort((a, b) => (a.first_name === b.first_name ? byUuid(a.id, b.id) : a.first_name < b.first_name ? -1 : 1)).map((r) => r.id);

      // Act
      const ids = await pageForward(contactPages({ g: group, orderBy: 'NAME' }), 100);

      // Assert
      expect(ids).toEqual(expected);
    });

    it('a contact added while a client pages does not make a later page repeat or skip one', async () => {
      // Arrange: the client reads the first page by name; a contact that sorts before its cursor is then added
      const pages = contactPages({ g: group, orderBy: 'NAME' });
      const all = await pageForward(pages, 500);
      const first = await pages({ first: 300 });
      await stack.graphql(`mutation($a: ID!, $g: ID!) { createContact(accountId: $a, input: { phoneNumber: "+447499000001", firstName: "Name00", groupIds: [$g] }) { id } }`, { a: store, g: group }, token);

      // Act
      const rest = await pageForward(async (paging) => pages({ ...paging, after: paging.after ?? first.pageInfo.endCursor }), 100);

      // Assert
      expect(rest).toEqual(all.slice(300));
    });
  });

  describe('messages of the bulk send (newest first, then id)', () => {
    it('first: 7 / 100 forward and last: 100 backward return every message exactly once, in order; last: 7 and size 1 return their 700 and 300 rows', async () => {
      // Act: six clients page at once (backward with 7 over the newest 700 rows: forward with 7 covers the whole batch)
      const [forwardSeven, forwardHundred, backwardHundred, backwardSeven, forwardOne, backwardOne] = await Promise.all([
        pageForward(messagePages(), 7),
        pageForward(messagePages(), 100),
        pageBackward(messagePages(), 100),
        pageBackward(messagePages(), 7, 700),
        pageForward(messagePages(), 1, 300),
        pageBackward(messagePages(), 1, 300),
      ]);

      // Assert
      expect(forwardSeven).toHaveLength(CONTACTS);
      expect(forwardSeven).toEqual(messageIds);
      expect(forwardHundred).toEqual(messageIds);
      expect(backwardHundred).toEqual(messageIds);
      expect(backwardSeven).toEqual(messageIds.slice(-700));
      expect(forwardOne).toEqual(messageIds.slice(0, 300));
      expect(backwardOne).toEqual(messageIds.slice(-300));
    });

    it('a filter by status pages the same way and counts the batch (totalCount)', async () => {
      // Act
      const ids = await pageForward(messagePages({ batchId, status: ['QUEUED'] }), 100);
      const none = await messagePages({ batchId, status: ['DELIVERED'] })({ first: 10 });
      const counted = await stack.graphql(`query($a: ID!, $b: ID!) { messages(accountId: $a, filter: { batchId: $b }, first: 1) { totalCount } }`, { a: store, b: batchId }, token);
      const uncounted = await stack.graphql(`query($a: ID!) { messages(accountId: $a, first: 1) { totalCount } }`, { a: store }, token);

      // Assert
      expect(ids).toEqual(messageIds);
      expect(none.edges).toEqual([]);
      expect(expectNoErrors(counted).messages.totalCount).toBe(CONTACTS);
      expect(expectNoErrors(uncounted).messages.totalCount).toBeNull();
    });

    it('messages sent while a client pages the log do not make a later page repeat or skip one', async () => {
      // Arrange: the client reads the first page of the whole log, then a new send lands before its cursor
      const pages = messagePages({});
      const first = await pages({ first: 250 });
      const log = await pageForward(pages, 500);
      await stack.graphql(`mutation($input: SendMessageInput!) { sendMessage(input: $input) { accepted } }`, { input: { accountId: store, to: '+447400000001', body: 'Meanwhile' } }, token);

      // Act
      const rest = await pageForward(async (paging) => pages({ ...paging, after: paging.after ?? first.pageInfo.endCursor }), 100);

      // Assert
      expect(rest).toEqual(log.slice(250));
    });
  });

  it('costs the same SQL statements for a page of 7 contacts or messages as for a page of 100', async () => {
    // Arrange
    const contacts = `query($a: ID!, $g: ID, $n: Int!) { contacts(accountId: $a, groupId: $g, first: $n) { nodes { id phoneNumber firstName groupIds optedOut editable } pageInfo { endCursor } totalCount } }`;
    const messages = `query($a: ID!, $b: ID!, $n: Int!) { messages(accountId: $a, filter: { batchId: $b }, first: $n) { nodes { id recipient sender status parts } pageInfo { endCursor } totalCount } }`;
    const statements = async (document: string, variables: Record<string, unknown>) => {
      await stack.graphql(document, variables, token);
      stack.queryCounter.reset();
      expectNoErrors(await stack.graphql(document, variables, token));
      return stack.queryCounter.count;
    };

    // Act
    const contactCounts = [await statements(contacts, { a: store, g: group, n: 7 }), await statements(contacts, { a: store, g: group, n: 100 })];
    const messageCounts = [await statements(messages, { a: store, b: batchId, n: 7 }), await statements(messages, { a: store, b: batchId, n: 100 })];

    // Assert
    expect(contactCounts[1]).toBe(contactCounts[0]);
    expect(messageCounts[1]).toBe(messageCounts[0]);
  });

  describe('refusals', () => {
    it.each([
      [CONTACT_PAGE, { first: 0 }, 'first'],
      [CONTACT_PAGE, { first: 501 }, 'first'],
      [CONTACT_PAGE, { after: 'not-a-cursor' }, 'after'],
      [MESSAGE_PAGE, { first: 501 }, 'first'],
      [MESSAGE_PAGE, { last: 0 }, 'last'],
      [MESSAGE_PAGE, { before: 'bm90IGEgY3Vyc29y' }, 'before'],
      [MESSAGE_PAGE, { first: 5, last: 5 }, 'first'],
    ])('%#: bad page arguments %j are BAD_USER_INPUT naming %s', async (document, paging, field) => {
      // Act
      const response = await stack.graphql(document, { a: store, ...paging }, token);

      // Assert
      expect(expectError(response, 'BAD_USER_INPUT').extensions).toMatchObject({ field });
    });

    it('a cursor of the NAME order is refused by the CREATED_AT order, and a message cursor by contacts', async () => {
      // Arrange
      const byName = await contactPages({ orderBy: 'NAME' })({ first: 1 });
      const message = await messagePages()({ first: 1 });

      // Act
      const crossOrder = await stack.graphql(CONTACT_PAGE, { a: store, orderBy: 'CREATED_AT', first: 1, after: byName.pageInfo.endCursor }, token);
      const crossList = await stack.graphql(CONTACT_PAGE, { a: store, orderBy: 'NAME', first: 1, after: message.pageInfo.endCursor }, token);

      // Assert
      expect(expectError(crossOrder, 'BAD_USER_INPUT').extensions).toMatchObject({ field: 'after' });
      expect(expectError(crossList, 'BAD_USER_INPUT').extensions).toMatchObject({ field: 'after' });
    });
  });
});

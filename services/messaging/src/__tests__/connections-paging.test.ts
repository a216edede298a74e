import crypto from 'node:crypto';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { expectError, expectNoErrors } from '@platform/testing';
import { pageBackward, pageForward, pagesOf, type FetchPage } from './paging-kit';

jest.setTimeout(180_000);

const PAGE_INFO = 'pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';
/** Two instants a microsecond apart: the rows of each test share them, so every list pages over ties. */
const TIED = ["'2026-06-01 10:00:00.000001+00'", "'2026-06-01 10:00:00.000002+00'"];

/**
 * Every messaging connection other than the large contact and message lists (issue 14): a client
 * paging with 1, 7 and 100 (and backward where the list pages backward) gets every row exactly
 * once, in the documented order, over rows that share their sort time; nested connections cost the
 * same SQL statements for 2 parents as for 10.
 */
describe('messaging connections page over ties, in their documented order', () => {
  let stack: TestStack;
  let token: string;
  const store = demoAccount('store-s1').id;
  const ids = (rows: { id: string | number }[]) => rows.map((row) => row.id);
  const sql = async (text: string, parameters: unknown[] = []) => (await stack.sql.query(text, parameters)).rows;
  const gql = async (query: string, variables: Record<string, unknown> = {}) => expectNoErrors(await stack.graphql(query, variables, token));
  /** Sets `column` of the rows to one of two tied instants (alternately). */
  const tie = (table: string, column: string, keyColumn: string, keys: readonly (string | number)[]) =>
    stack.sql.query(`UPDATE messaging.${table} SET ${column} = CASE WHEN array_position($1::text[], ${keyColumn}::text) % 2 = 0 THEN ${TIED[0]}::timestamptz ELSE ${TIED[1]}::timestamptz END WHERE ${keyColumn}::text = ANY($1::text[])`, [keys]);
  const ancestorsOf = async (accountId: string): Promise<string[]> => (await sql(`SELECT path FROM hierarchy.accounts WHERE id = $1`, [accountId]))[0].path.filter((id: string) => id !== accountId);

  /** The `after` cursor that makes `id` the first node of a page of `field` (null when it is the list's first). */
  async function cursorBefore(field: string, id: string): Promise<string | null> {
    const { edges } = (await gql(`query($a: ID!) { ${field}(accountId: $a, first: 200) { edges { cursor node { id } } } }`, { a: store }))[field];
    const position = edges.findIndex((edge: { node: { id: string } }) => edge.node.id === id);
    return position > 0 ? edges[position - 1].cursor : null;
  }

  async function expectEveryRowOnce(fetch: FetchPage, expected: (string | number)[], options: { backward?: boolean } = {}) {
    for (const size of [1, 7, 100]) {
      expect(await pageForward(fetch, size)).toEqual(expected);
      if (options.backward) expect(await pageBackward(fetch, size)).toEqual(expected);
    }
  }

  beforeAll(async () => {
    stack = await startTestStack({ env: { MESSAGING_WORKER_INTERVAL_MS: '0', WEBHOOK_DISPATCH_INTERVAL_MS: '0', WEBHOOK_ALLOW_LOOPBACK_URLS: 'true' } });
    token = await stack.login(demoUser('hq-admin').email);
    await gql(`mutation($id: ID!) { updateAccountSettings(id: $id, input: { clear: [SENDING_WINDOW] }) { id } }`, { id: demoAccount('hq').id });
  });
  afterAll(() => stack?.close());

  it('contactGroups: oldest first, then id', async () => {
    // Arrange
    const created: string[] = [];
    for (let i = 0; i < 12; i++) created.push((await gql(`mutation($a: ID!, $n: String!) { createContactGroup(accountId: $a, name: $n) { id } }`, { a: store, n: `Paged ${i}` })).createContactGroup.id);
    await tie('contact_groups', 'created_at', 'id', created);
    const expected = ids(await sql(`SELECT id FROM messaging.contact_groups WHERE account_id = $1 OR (account_id = ANY($2::uuid[]) AND shared_access IS NOT NULL) ORDER BY created_at, id`, [store, await ancestorsOf(store)]));
    const pages = pagesOf(stack, token, `query($a: ID!, $first: Int, $after: String) { contactGroups(accountId: $a, first: $first, after: $after) { edges { cursor node { id } } ${PAGE_INFO} totalCount } }`, { a: store }, (data) => data.contactGroups);

    // Act & Assert
    await expectEveryRowOnce(pages, expected);
    expect((await gql(`query($a: ID!) { contactGroups(accountId: $a, first: 1) { totalCount } }`, { a: store })).contactGroups.totalCount).toBe(expected.length);
  });

  it('contactGroups with a search: the names holding the text (any case, % and _ as written), paged and counted over the search', async () => {
    // Arrange
    const names = ['VIP north', 'Newsletter', 'vip South', '100% loyal', '100 loyal', 'a_b'];
    const created: Record<string, string> = {};
    for (const n of names) created[n] = (await gql(`mutation($a: ID!, $n: String!) { createContactGroup(accountId: $a, name: $n) { id } }`, { a: store, n })).createContactGroup.id;
    const search = (text: string) => gql(`query($a: ID!, $s: String) { contactGroups(accountId: $a, search: $s, first: 200) { nodes { id name } totalCount } }`, { a: store, s: text });
    const pages = pagesOf(stack, token, `query($a: ID!, $first: Int, $after: String) { contactGroups(accountId: $a, search: "VIP", first: $first, after: $after) { edges { cursor node { id } } ${PAGE_INFO} } }`, { a: store }, (data) => data.contactGroups);

    // Act
    const vip = (await search('vip')).contactGroups;
    const percent = (await search('100%')).contactGroups;
    const underscore = (await search('_')).contactGroups;
    const blank = (await search('  ')).contactGroups;
    const tooLong = await stack.graphql(`query($a: ID!, $s: String) { contactGroups(accountId: $a, search: $s) { totalCount } }`, { a: store, s: 'x'.repeat(101) }, token);

    // Assert
    expect(vip.nodes.map((g: { name: string }) => g.name)).toEqual(['VIP north', 'vip South']);
    expect(vip.totalCount).toBe(2);
    expect(percent.nodes.map((g: { name: string }) => g.name)).toEqual(['100% loyal']);
    expect(underscore.nodes.map((g: { name: string }) => g.name)).toEqual(['a_b']);
    expect(blank.totalCount).toBe((await gql(`query($a: ID!) { contactGroups(accountId: $a) { totalCount } }`, { a: store })).contactGroups.totalCount);
    await expectEveryRowOnce(pages, [created['VIP north'], created['vip South']]);
    expect(expectError(tooLong, 'BAD_USER_INPUT').extensions?.field).toBe('search');
  });

  it('senderIds: oldest first, then id', async () => {
    // Arrange
    const created: string[] = [];
    for (let i = 0; i < 12; i++) {
      created.push((await gql(`mutation($a: ID!, $v: String!) { requestSenderId(accountId: $a, input: { kind: ALPHANUMERIC, value: $v }) { id } }`, { a: store, v: `Shop ${String(i).padStart(2, '0')}` })).requestSenderId.id);
    }
    await tie('sender_ids', 'created_at', 'id', created);
    const expected = ids(await sql(`SELECT id FROM messaging.sender_ids WHERE account_id = $1 OR (account_id = ANY($2::uuid[]) AND shared_down) ORDER BY created_at, id`, [store, await ancestorsOf(store)]));
    const pages = pagesOf(stack, token, `query($a: ID!, $first: Int, $after: String) { senderIds(accountId: $a, first: $first, after: $after) { edges { cursor node { id } } ${PAGE_INFO} } }`, { a: store }, (data) => data.senderIds);

    // Act & Assert
    await expectEveryRowOnce(pages, expected);
  });

  it('messageTemplates: by name, then id (a name shared down by an ancestor ties with the account’s own)', async () => {
    // Arrange
    const create = (accountId: string, name: string, sharedDown: boolean) =>
      gql(`mutation($a: ID!, $input: MessageTemplateInput!) { createMessageTemplate(accountId: $a, input: $input) { id } }`, { a: accountId, input: { name, body: `Hello from ${name}`, sharedDown } });
    for (let i = 0; i < 6; i++) {
      await create(store, `Paged ${i}`, false);
      await create(demoAccount('hq').id, `Paged ${i}`, true);
    }
    const expected = ids(await sql(`SELECT id FROM messaging.message_templates WHERE account_id = $1 OR (shared_down AND account_id = ANY($2::uuid[])) ORDER BY name, id`, [store, await ancestorsOf(store)]));
    const pages = pagesOf(stack, token, `query($a: ID!, $first: Int, $after: String) { messageTemplates(accountId: $a, first: $first, after: $after) { edges { cursor node { id } } ${PAGE_INFO} } }`, { a: store }, (data) => data.messageTemplates);

    // Act & Assert
    expect(new Set(expected.slice(0, 12)).size).toBe(12);
    await expectEveryRowOnce(pages, expected);
  });

  describe('inbox and conversation messages (page both ways)', () => {
    const numbers = Array.from({ length: 12 }, (_, i) => `+447400650${String(i).padStart(3, '0')}`);
    let conversation: string;

    beforeAll(async () => {
      const inject = (from: string, body: string) => gql(`mutation($a: ID!, $from: String!, $body: String!) { injectInboundMessage(accountId: $a, from: $from, body: $body) { conversationId } }`, { a: store, from, body });
      const conversations: string[] = [];
      for (const number of numbers) conversations.push((await inject(number, 'Hello')).injectInboundMessage.conversationId);
      conversation = conversations[0];
      for (let i = 1; i < 12; i++) await inject(numbers[0], `Reply ${i}`);
      await gql(`mutation($input: SendMessageInput!) { sendMessage(input: $input) { accepted } }`, { input: { accountId: store, to: numbers[0], body: 'Our answer' } });
      await tie('conversations', 'last_message_at', 'id', conversations);
      const inbound = ids(await sql(`SELECT id FROM messaging.inbound_messages WHERE conversation_id = $1`, [conversation]));
      await tie('inbound_messages', 'received_at', 'id', inbound);
      await stack.sql.query(`UPDATE messaging.messages SET created_at = ${TIED[0]}::timestamptz WHERE account_id = $1 AND recipient = $2`, [store, numbers[0]]);
    });

    it('inbox: latest activity first, then id', async () => {
      // Arrange
      const expected = ids(await sql(`SELECT id FROM messaging.conversations WHERE account_id = $1 ORDER BY last_message_at DESC, id DESC`, [store]));
      const pages = pagesOf(
        stack,
        token,
        `query($a: ID!, $first: Int, $after: String, $last: Int, $before: String) { inbox(accountId: $a, first: $first, after: $after, last: $last, before: $before) { edges { cursor node { id } } ${PAGE_INFO} } }`,
        { a: store },
        (data) => data.inbox,
      );

      // Act & Assert
      expect(expected.length).toBeGreaterThanOrEqual(12);
      await expectEveryRowOnce(pages, expected, { backward: true });
    });

    it('Conversation.messages: both ways, oldest first, then id; the last 50 without arguments', async () => {
      // Arrange
      const expected = ids(
        await sql(
          `SELECT id FROM (SELECT id, created_at AS at FROM messaging.messages WHERE account_id = $1 AND recipient = $2
                           UNION ALL SELECT id, received_at FROM messaging.inbound_messages WHERE conversation_id = $3) e ORDER BY at, id`,
          [store, numbers[0], conversation],
        ),
      );
      const document = `query($a: ID!, $at: String, $first: Int, $after: String, $last: Int, $before: String) {
        inbox(accountId: $a, first: 1, after: $at) { nodes { id messages(first: $first, after: $after, last: $last, before: $before) { edges { cursor node { id } } ${PAGE_INFO} } } }
      }`;
      const at = await cursorBefore('inbox', conversation);
      const pages = pagesOf(stack, token, document, { a: store, at }, (data) => data.inbox.nodes[0].messages);

      // Act
      const unpaged = await gql(`query($a: ID!, $at: String) { inbox(accountId: $a, first: 1, after: $at) { nodes { id messages { nodes { id } pageInfo { hasPreviousPage hasNextPage } } } } }`, { a: store, at });

      // Assert
      expect(expected).toHaveLength(13);
      expect(unpaged.inbox.nodes[0].id).toBe(conversation);
      expect(unpaged.inbox.nodes[0].messages).toEqual({ nodes: expected.map((id) => ({ id })), pageInfo: { hasPreviousPage: false, hasNextPage: false } });
      await expectEveryRowOnce(pages, expected, { backward: true });
    });

    it('reads every conversation’s messages of an inbox page in the same number of SQL statements for 2 conversations as for 10', async () => {
      // Arrange
      const document = `query($a: ID!, $n: Int!) { inbox(accountId: $a, first: $n) { nodes { id phoneNumber messages(last: 3) { nodes { id body direction } } } } }`;
      const statements = async (n: number) => {
        await gql(document, { a: store, n });
        stack.queryCounter.reset();
        const data = await gql(document, { a: store, n });
        return { count: stack.queryCounter.count, conversations: data.inbox.nodes.length };
      };

      // Act
      const two = await statements(2);
      const ten = await statements(10);

      // Assert
      expect([two.conversations, ten.conversations]).toEqual([2, 10]);
      expect(ten.count).toBe(two.count);
    });
  });

  describe('automation rules and their firings', () => {
    const rules: string[] = [];

    beforeAll(async () => {
      for (let i = 0; i < 12; i++) {
        rules.push((await gql(`mutation($a: ID!, $n: String!) { createAutomationRule(accountId: $a, input: { name: $n, action: FORWARD_EMAIL, forwardEmail: "desk@store.example" }) { id } }`, { a: store, n: `Forward ${i}` })).createAutomationRule.id);
      }
      // every rule matches every inbound message: 12 inbound messages fire each rule 12 times
      for (let i = 0; i < 12; i++) await gql(`mutation($a: ID!, $from: String!) { injectInboundMessage(accountId: $a, from: $from, body: "Question") { conversationId } }`, { a: store, from: `+447400660${String(i).padStart(3, '0')}` });
      await tie('automation_rules', 'created_at', 'id', rules);
      const firings = await sql(`SELECT inbound_message_id::text AS id FROM messaging.automation_firings WHERE rule_id = $1`, [rules[0]]);
      await stack.sql.query(`UPDATE messaging.automation_firings SET fired_at = ${TIED[0]}::timestamptz WHERE rule_id = ANY($1::uuid[]) AND inbound_message_id::text = ANY($2::text[])`, [rules, ids(firings).slice(0, 6)]);
    });

    it('automationRules: oldest first, then id', async () => {
      // Arrange
      const expected = ids(await sql(`SELECT id FROM messaging.automation_rules WHERE account_id = $1 ORDER BY created_at, id`, [store]));
      const pages = pagesOf(stack, token, `query($a: ID!, $first: Int, $after: String) { automationRules(accountId: $a, first: $first, after: $after) { edges { cursor node { id } } ${PAGE_INFO} } }`, { a: store }, (data) => data.automationRules);

      // Act & Assert
      await expectEveryRowOnce(pages, expected);
    });

    it('AutomationRule.firings: newest first, then inbound message id', async () => {
      // Arrange
      const expected = ids(await sql(`SELECT inbound_message_id AS id FROM messaging.automation_firings WHERE rule_id = $1 ORDER BY fired_at DESC, inbound_message_id DESC`, [rules[0]]));
      const document = `query($a: ID!, $at: String, $first: Int, $after: String) {
        automationRules(accountId: $a, first: 1, after: $at) { nodes { id firings(first: $first, after: $after) { edges { cursor node { id: inboundMessageId } } ${PAGE_INFO} } } }
      }`;
      const at = await cursorBefore('automationRules', rules[0]);
      const pages = pagesOf(stack, token, document, { a: store, at }, (data) => data.automationRules.nodes[0].firings);

      // Act & Assert
      expect(expected).toHaveLength(12);
      expect((await gql(document, { a: store, at, first: 1 })).automationRules.nodes[0].id).toBe(rules[0]);
      await expectEveryRowOnce(pages, expected);
    });

    it('reads the firings of a page of rules in the same number of SQL statements for 2 rules as for 10', async () => {
      // Arrange
      const document = `query($a: ID!, $n: Int!) { automationRules(accountId: $a, first: $n) { nodes { id firings(first: 3) { nodes { inboundMessageId outcome } } } } }`;
      const statements = async (n: number) => {
        await gql(document, { a: store, n });
        stack.queryCounter.reset();
        const data = await gql(document, { a: store, n });
        return { count: stack.queryCounter.count, firings: data.automationRules.nodes.map((r: { firings: { nodes: unknown[] } }) => r.firings.nodes.length) };
      };

      // Act
      const two = await statements(2);
      const ten = await statements(10);

      // Assert
      expect(two.firings).toEqual([3, 3]);
      expect(ten.firings).toEqual(Array(10).fill(3));
      expect(ten.count).toBe(two.count);
    });
  });

  describe('webhook endpoints, deliveries and attempts', () => {
    const endpoints: string[] = [];

    beforeAll(async () => {
      const hq = demoAccount('hq');
      for (let i = 0; i < 12; i++) {
        const input = { accountId: store, url: `http://127.0.0.1:9/hook-${i}`, eventTypes: ['account.created'] };
        endpoints.push((await gql(`mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } } }`, { input })).createWebhookEndpoint.endpoint.id);
      }
      await tie('webhook_endpoints', 'created_at', 'id', endpoints);
      // What the dispatcher leaves behind: 12 deliveries per endpoint, 12 attempts of the first delivery, 2 of the others
      await stack.sql.query(
        `INSERT INTO messaging.webhook_events (id, source_schema, type, account_id, account_path, occurred_at, data)
         SELECT gen_random_uuid(), 'hierarchy', 'account.created', $1, $2::uuid[], now(), '{}' FROM generate_series(1, 12)`,
        [store, [hq.id, store]],
      );
      await stack.sql.query(
        `INSERT INTO messaging.webhook_deliveries (event_id, endpoint_id, status, attempt_count, next_attempt_at, created_at)
         SELECT e.id, endpoint, 'FAILED', 2, now(), CASE WHEN row_number() OVER () % 2 = 0 THEN ${TIED[0]}::timestamptz ELSE ${TIED[1]}::timestamptz END
           FROM messaging.webhook_events e CROSS JOIN unnest($1::uuid[]) AS endpoint WHERE e.account_id = $2`,
        [endpoints, store],
      );
      await stack.sql.query(
        `INSERT INTO messaging.webhook_attempts (delivery_id, attempt_number, attempted_at, latency_ms, response_status, outcome)
         SELECT d.id, n, now(), 5, 503, 'FAILED' FROM messaging.webhook_deliveries d CROSS JOIN generate_series(1, 2) AS n WHERE d.endpoint_id = ANY($1::uuid[])`,
        [endpoints],
      );
    });

    it('webhookEndpoints: oldest first, then id', async () => {
      // Arrange
      const expected = ids(await sql(`SELECT id FROM messaging.webhook_endpoints WHERE account_id = $1 ORDER BY created_at, id`, [store]));
      const pages = pagesOf(stack, token, `query($a: ID!, $first: Int, $after: String) { webhookEndpoints(accountId: $a, first: $first, after: $after) { edges { cursor node { id } } ${PAGE_INFO} } }`, { a: store }, (data) => data.webhookEndpoints);

      // Act & Assert
      expect(expected).toHaveLength(12);
      await expectEveryRowOnce(pages, expected);
    });

    it('WebhookEndpoint.deliveries: newest first, then id; WebhookDelivery.attempts: by attempt number', async () => {
      // Arrange
      const expected = ids(await sql(`SELECT id FROM messaging.webhook_deliveries WHERE endpoint_id = $1 ORDER BY created_at DESC, id DESC`, [endpoints[0]]));
      const delivery = expected[0];
      await stack.sql.query(
        `INSERT INTO messaging.webhook_attempts (delivery_id, attempt_number, attempted_at, latency_ms, response_status, outcome) SELECT $1, n, now(), 5, 503, 'FAILED' FROM generate_series(3, 12) AS n`,
        [delivery],
      );
      const deliveries = pagesOf(
        stack,
        token,
        `query($id: ID!, $first: Int, $after: String) { webhookEndpoint(id: $id) { deliveries(first: $first, after: $after) { edges { cursor node { id } } ${PAGE_INFO} } } }`,
        { id: endpoints[0] },
        (data) => data.webhookEndpoint.deliveries,
      );
      const attempts = pagesOf(
        stack,
        token,
        `query($id: ID!, $first: Int, $after: String) { webhookEndpoint(id: $id) { deliveries(first: 1) { nodes { attempts(first: $first, after: $after) { edges { cursor node { id: number } } ${PAGE_INFO} } } } } }`,
        { id: endpoints[0] },
        (data) => data.webhookEndpoint.deliveries.nodes[0].attempts,
      );

      // Act & Assert
      expect(expected).toHaveLength(12);
      await expectEveryRowOnce(deliveries, expected);
      await expectEveryRowOnce(attempts, Array.from({ length: 12 }, (_, i) => i + 1));
    });

    it('reads the deliveries and attempts of a page of endpoints in the same number of SQL statements for 2 endpoints as for 10', async () => {
      // Arrange
      const document = `query($a: ID!, $n: Int!) { webhookEndpoints(accountId: $a, first: $n) { nodes { id deliveries(first: 3) { nodes { id attempts(first: 2) { nodes { number } } } } } } }`;
      const statements = async (n: number) => {
        await gql(document, { a: store, n });
        stack.queryCounter.reset();
        const data = await gql(document, { a: store, n });
        return { count: stack.queryCounter.count, endpoints: data.webhookEndpoints.nodes.length };
      };

      // Act
      const two = await statements(2);
      const ten = await statements(10);

      // Assert
      expect([two.endpoints, ten.endpoints]).toEqual([2, 10]);
      expect(ten.count).toBe(two.count);
    });
  });

  describe('filters combine with paging', () => {
    it('contacts: search by name or number digits and opt-out state, in any order, each contact once', async () => {
      // Arrange: 15 contacts of one import; three answer STOP
      const csv = ['phone,first_name,last_name', ...Array.from({ length: 15 }, (_, i) => `+4474006700${String(i).padStart(2, '0')},Zed${i % 3},Filtered`)].join('\n');
      await gql(`mutation($a: ID!, $csv: String!) { importContacts(accountId: $a, csv: $csv) { imported } }`, { a: store, csv });
      for (const i of [1, 4, 7]) await gql(`mutation($a: ID!, $from: String!) { injectInboundMessage(accountId: $a, from: $from, body: "STOP") { optedOut } }`, { a: store, from: `+4474006700${String(i).padStart(2, '0')}` });
      const expectedIds = async (where: string, order: string) => ids(await sql(`SELECT id FROM messaging.contacts c WHERE c.account_id = $1 AND c.last_name = 'Filtered' AND ${where} ORDER BY ${order}`, [store]));
      const optedOut = `EXISTS (SELECT 1 FROM messaging.opt_outs o WHERE o.account_id = c.account_id AND o.phone_number = c.phone_number)`;
      const pages = (filter: Record<string, unknown>, orderBy: string) =>
        pagesOf(stack, token, `query($a: ID!, $f: ContactFilter, $o: ContactOrder, $first: Int, $after: String) { contacts(accountId: $a, filter: $f, orderBy: $o, first: $first, after: $after) { edges { cursor node { id } } ${PAGE_INFO} } }`, { a: store, f: filter, o: orderBy }, (data) => data.contacts);

      const all = await expectedIds('true', 'c.created_at, c.id');
      const stopped = await expectedIds(optedOut, 'c.first_name, c.id');
      const zedOneSubscribed = await expectedIds(`c.first_name = 'Zed1' AND NOT ${optedOut}`, 'c.id');
      const numbersFrom10 = await expectedIds(`c.phone_number LIKE '+44740067001%'`, 'c.created_at, c.id');

      // Act & Assert
      expect([all, stopped, zedOneSubscribed, numbersFrom10].map((list) => list.length)).toEqual([15, 3, 2, 5]);
      await expectEveryRowOnce(pages({ search: 'filtered' }, 'CREATED_AT'), all);
      await expectEveryRowOnce(pages({ search: 'filtered', optedOut: true }, 'NAME'), stopped);
      await expectEveryRowOnce(pages({ search: 'zed1', optedOut: false }, 'NAME'), zedOneSubscribed);
      await expectEveryRowOnce(pages({ search: '+44 7400 6700 1' }, 'CREATED_AT'), numbersFrom10);
    });

    it('messages: by user, sender ID and time range; a basic user naming a colleague gets nothing; a range ending before it starts is refused', async () => {
      // Arrange: in store N1's marketing department, the basic user and an advanced user send; one message from a tag
      const marketing = demoAccount('store-n1-marketing').id;
      const basic = await stack.login(demoUser('n1-marketing').email);
      const advanced = await stack.login(demoUser('n1-advanced').email);
      const tag = (await gql(`mutation($a: ID!) { requestSenderId(accountId: $a, input: { kind: ALPHANUMERIC, value: "Marketing" }) { id } }`, { a: marketing })).requestSenderId.id;
      const send = async (as: string, to: string, senderId?: string) =>
        expectNoErrors(await stack.graphql(`mutation($input: SendMessageInput!) { sendMessage(input: $input) { messageIds } }`, { input: { accountId: marketing, to, body: 'Filtered', senderId } }, as)).sendMessage.messageIds[0];
      const earlier = await send(basic, '+447400680001');
      const byBasic = [earlier, await send(basic, '+447400680002'), await send(basic, '+447400680003', tag)];
      const byAdvanced = [await send(advanced, '+447400680004'), await send(advanced, '+447400680005')];
      const createdAt = async (id: string) => (await sql(`SELECT created_at FROM messaging.messages WHERE id = $1`, [id]))[0].created_at as Date;
      const from = new Date((await createdAt(byBasic[1])).getTime() + 1).toISOString(); // after the second message's millisecond
      const pages = (filter: Record<string, unknown>, as = token) =>
        pagesOf(stack, as, `query($a: ID!, $f: MessageFilter, $first: Int, $after: String, $last: Int, $before: String) { messages(accountId: $a, filter: $f, first: $first, after: $after, last: $last, before: $before) { edges { cursor node { id } } ${PAGE_INFO} } }`, { a: marketing, f: filter }, (data) => data.messages);
      const newestFirst = (messageIds: string[]) => sql(`SELECT id FROM messaging.messages WHERE id = ANY($1::uuid[]) ORDER BY created_at DESC, id DESC`, [messageIds]).then(ids);

      // Act & Assert
      await expectEveryRowOnce(pages({ userId: demoUser('n1-marketing').id, from: new Date((await createdAt(earlier)).getTime() - 1).toISOString() }), await newestFirst(byBasic), { backward: true });
      await expectEveryRowOnce(pages({ senderId: tag }), [byBasic[2]], { backward: true });
      await expectEveryRowOnce(pages({ userId: demoUser('n1-advanced').id, from }), await newestFirst(byAdvanced), { backward: true });
      await expectEveryRowOnce(pages({ userId: demoUser('n1-advanced').id }, basic), []);
      await expectEveryRowOnce(pages({ from, to: new Date((await createdAt(byAdvanced[0])).getTime()).toISOString(), userId: demoUser('n1-marketing').id }), [byBasic[2]]);
      const reversed = await stack.graphql(`query($a: ID!) { messages(accountId: $a, filter: { from: "2026-06-02T00:00:00Z", to: "2026-06-01T00:00:00Z" }) { nodes { id } } }`, { a: marketing }, token);
      const badSender = await stack.graphql(`query($a: ID!) { messages(accountId: $a, filter: { senderId: "not-an-id" }) { nodes { id } } }`, { a: marketing }, token);
      expect(expectError(reversed, 'BAD_USER_INPUT').extensions).toMatchObject({ field: 'filter.to' });
      expect(expectError(badSender, 'BAD_USER_INPUT').extensions).toMatchObject({ field: 'filter.senderId' });
    });
  });

  it.each([
    ['contactGroups(accountId: $a, first: 201)', 'first'],
    ['senderIds(accountId: $a, after: "x")', 'after'],
    ['messageTemplates(accountId: $a, first: 0)', 'first'],
    ['automationRules(accountId: $a, after: "WyJhIl0")', 'after'],
    ['webhookEndpoints(accountId: $a, first: 201)', 'first'],
    ['inbox(accountId: $a, last: 201)', 'last'],
  ])('%s is BAD_USER_INPUT naming %s', async (field, argument) => {
    // Act
    const response = await stack.graphql(`query($a: ID!) { ${field} { pageInfo { endCursor } } }`, { a: store }, token);

    // Assert
    expect(expectError(response, 'BAD_USER_INPUT').extensions).toMatchObject({ field: argument });
  });

  it('a bad cursor of a conversation’s messages is BAD_USER_INPUT naming before', async () => {
    // Act
    const response = await stack.graphql(`query($a: ID!, $b: String!) { inbox(accountId: $a, first: 1) { nodes { messages(last: 2, before: $b) { nodes { id } } } } }`, { a: store, b: crypto.randomUUID() }, token);

    // Assert
    expect(expectError(response, 'BAD_USER_INPUT').extensions).toMatchObject({ field: 'before' });
  });
});

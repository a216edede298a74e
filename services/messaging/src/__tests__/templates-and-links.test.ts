import crypto from 'node:crypto';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { codeOf as code } from '@platform/testing';

jest.setTimeout(180_000);

const BULK = `mutation($input: SendBulkInput!) { sendBulk(input: $input) { batchId accepted costUnits partsPerMessage messageIds } }`;
const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { batchId accepted costUnits messageIds } }`;
const SHORT_BASE = 'https://sms.example';

describe('templates (SPEC M6) and trackable short links (SPEC M8)', () => {
  let stack: TestStack;
  let hqAdmin: string;
  let advanced: string;
  let origin: string;
  const hq = demoAccount('hq').id;
  const storeN1 = demoAccount('store-n1').id;
  const storeN2 = demoAccount('store-n2').id;

  beforeAll(async () => {
    stack = await startTestStack({ env: { MESSAGING_WORKER_INTERVAL_MS: '0', WEBHOOK_DISPATCH_INTERVAL_MS: '0', SHORT_LINK_BASE_URL: SHORT_BASE } });
    origin = new URL(stack.gatewayUrl).origin;
    hqAdmin = await stack.login(demoUser('hq-admin').email);
    advanced = await stack.login(demoUser('n1-advanced').email);
    // The demo head office closes its sending window at night.
    await stack.graphql(`mutation($id: ID!) { updateAccountSettings(id: $id, input: { clear: [SENDING_WINDOW] }) { id } }`, { id: hq }, hqAdmin);
  });
  afterAll(() => stack?.close());

  const gql = async (query: string, variables: Record<string, unknown>, token = hqAdmin) => {
    const response = await stack.graphql(query, variables, token);
    if (response.errors) throw new Error(JSON.stringify(response.errors));
    return response.data;
  };
  const createContact = async (accountId: string, phoneNumber: string, firstName?: string) =>
    (await gql(`mutation($a: ID!, $i: ContactInput!) { createContact(accountId: $a, input: $i) { id } }`, { a: accountId, i: { phoneNumber, firstName } })).createContact.id as string;
  const createTemplate = (accountId: string, name: string, body: string, sharedDown = false, token = hqAdmin) =>
    stack.graphql(`mutation($a: ID!, $i: MessageTemplateInput!) { createMessageTemplate(accountId: $a, input: $i) { id name placeholders sharedDown } }`, { a: accountId, i: { name, body, sharedDown } }, token);
  const bodiesOf = async (batchId: string) =>
    (await stack.sql.query(`SELECT recipient, body, parts, cost_units FROM messaging.messages WHERE batch_id = $1 ORDER BY recipient`, [batchId])).rows;
  const messageCount = async (accountId: string) => Number((await stack.sql.query(`SELECT count(*) FROM messaging.messages WHERE account_id = $1`, [accountId])).rows[0].count);
  const settings = (accountId: string, input: Record<string, unknown>) =>
    gql(`mutation($id: ID!, $input: AccountSettingsInput!) { updateAccountSettings(id: $id, input: $input) { id } }`, { id: accountId, input });

  it('fills placeholders per recipient from contacts and group members, with fallbacks', async () => {
    // Arrange
    const ada = await createContact(storeN1, '+447400300001', 'Ada');
    const grace = await createContact(storeN1, '+447400300002', 'Grace');
    const group = (await gql(`mutation($a: ID!) { createContactGroup(accountId: $a, name: "Templated") { id } }`, { a: storeN1 })).createContactGroup.id;
    await gql(`mutation($id: ID!, $c: [ID!]) { updateContactGroup(id: $id, input: { addContactIds: $c }) { id } }`, { id: group, c: [ada, grace] });
    const template = await createTemplate(storeN1, 'Greeting', 'Hello {{firstName}}, your order is ready');
    const fallback = await createTemplate(storeN1, 'Fallback', 'Hi {{ lastName | there }}!');

    // Act
    const toGroup = await stack.graphql(BULK, { input: { accountId: storeN1, groupIds: [group], templateId: template.data.createMessageTemplate.id } }, advanced);
    const withFallback = await stack.graphql(SEND, { input: { accountId: storeN1, contactId: ada, templateId: fallback.data.createMessageTemplate.id } }, advanced);

    // Assert
    expect(template.data.createMessageTemplate.placeholders).toEqual(['firstName']);
    expect(toGroup.errors).toBeUndefined();
    expect(toGroup.data.sendBulk.accepted).toBe(2);
    expect((await bodiesOf(toGroup.data.sendBulk.batchId)).map((r: { body: string }) => r.body)).toEqual(['Hello Ada, your order is ready', 'Hello Grace, your order is ready']);
    expect((await bodiesOf(withFallback.data.sendMessage.batchId))[0].body).toBe('Hi there!');
  });

  it('refuses a template whose placeholder has no value for a recipient with TEMPLATE_VALUE_MISSING, naming both, and writes nothing', async () => {
    // Arrange
    const named = await createContact(storeN1, '+447400300011', 'Linus');
    const unnamed = await createContact(storeN1, '+447400300012');
    const template = (await createTemplate(storeN1, 'Needs a name', 'Dear {{firstName}}')).data.createMessageTemplate.id;
    const before = await messageCount(storeN1);
    const batches = Number((await stack.sql.query(`SELECT count(*) FROM messaging.send_batches WHERE account_id = $1`, [storeN1])).rows[0].count);

    // Act
    const contacts = await stack.graphql(BULK, { input: { accountId: storeN1, contactIds: [named, unnamed], templateId: template } }, advanced);
    const bareNumber = await stack.graphql(SEND, { input: { accountId: storeN1, to: '+447400300013', templateId: template } }, advanced);

    // Assert
    expect(code(contacts)).toBe('TEMPLATE_VALUE_MISSING');
    expect(contacts.errors?.[0]?.extensions).toMatchObject({ placeholder: 'firstName', recipient: '+447400300012', contactId: unnamed });
    expect(contacts.errors?.[0]?.message).toContain('{{firstName}}');
    expect(code(bareNumber)).toBe('TEMPLATE_VALUE_MISSING');
    expect(bareNumber.errors?.[0]?.extensions).toMatchObject({ placeholder: 'firstName', recipient: '+447400300013' });
    expect(await messageCount(storeN1)).toBe(before);
    expect(Number((await stack.sql.query(`SELECT count(*) FROM messaging.send_batches WHERE account_id = $1`, [storeN1])).rows[0].count)).toBe(batches);
  });

  it('shares templates down the tree only when asked, and validates placeholders at creation', async () => {
    // Arrange
    const shared = (await createTemplate(hq, 'HQ shared', 'From head office', true)).data.createMessageTemplate.id;
    const own = (await createTemplate(hq, 'HQ only', 'Internal', false)).data.createMessageTemplate.id;

    // Act
    const listed = await gql(`query($a: ID!) { messageTemplates(accountId: $a) { nodes { id name accountId inherited } } }`, { a: storeN1 }, advanced);
    const sendShared = await stack.graphql(SEND, { input: { accountId: storeN1, to: '+447400300021', templateId: shared } }, advanced);
    const sendOwn = await stack.graphql(SEND, { input: { accountId: storeN1, to: '+447400300021', templateId: own } }, advanced);
    const unknownPlaceholder = await createTemplate(storeN1, 'Bad', 'Hi {{phoneNumber}}');
    const brokenBraces = await createTemplate(storeN1, 'Broken', 'Hi {{firstName');
    const basic = await createTemplate(demoAccount('store-n1-marketing').id, 'Basic', 'x', false, await stack.login(demoUser('n1-marketing').email));
    const sibling = await stack.graphql(SEND, { input: { accountId: storeN2, to: '+447400300022', templateId: (await createTemplate(storeN1, 'N1 only', 'n1', true)).data.createMessageTemplate.id } }, hqAdmin);

    // Assert
    const inherited = listed.messageTemplates.nodes.find((t: { id: string }) => t.id === shared);
    expect(inherited).toMatchObject({ name: 'HQ shared', inherited: true, accountId: null });
    expect(listed.messageTemplates.nodes.some((t: { id: string }) => t.id === own)).toBe(false);
    expect(sendShared.errors).toBeUndefined();
    expect((await bodiesOf(sendShared.data.sendMessage.batchId))[0].body).toBe('From head office');
    expect(code(sendOwn)).toBe('NOT_FOUND');
    expect(code(unknownPlaceholder)).toBe('BAD_USER_INPUT');
    expect(code(brokenBraces)).toBe('BAD_USER_INPUT');
    expect(code(basic)).toBe('FORBIDDEN');
    expect(code(sibling)).toBe('NOT_FOUND');
  });

  it('sends the default template of the account (H5 defaultTemplateId, inherited) when no body nor template is given', async () => {
    // Arrange
    const contact = await createContact(storeN2, '+447400300031', 'Marie');
    const template = (await createTemplate(demoAccount('north').id, 'North default', 'Bonjour {{firstName}}', true)).data.createMessageTemplate.id;
    const withoutDefault = await stack.graphql(SEND, { input: { accountId: storeN2, contactId: contact } }, hqAdmin);
    await settings(demoAccount('north').id, { defaultTemplateId: template });

    // Act
    const sent = await stack.graphql(SEND, { input: { accountId: storeN2, contactId: contact } }, hqAdmin);
    const both = await stack.graphql(SEND, { input: { accountId: storeN2, contactId: contact, body: 'x', templateId: template } }, hqAdmin);

    // Assert
    expect(code(withoutDefault)).toBe('BAD_USER_INPUT');
    expect(sent.errors).toBeUndefined();
    expect((await bodiesOf(sent.data.sendMessage.batchId))[0].body).toBe('Bonjour Marie');
    expect(code(both)).toBe('BAD_USER_INPUT');
  });

  it('updates and deletes templates; a deleted template can no longer be sent', async () => {
    // Arrange
    const id = (await createTemplate(storeN1, 'Temporary', 'Old text')).data.createMessageTemplate.id;

    // Act
    const updated = await gql(`mutation($id: ID!) { updateMessageTemplate(id: $id, input: { body: "New {{firstName|friend}}" }) { body placeholders } }`, { id });
    const deleted = await gql(`mutation($id: ID!) { deleteMessageTemplate(id: $id) }`, { id });
    const afterDelete = await stack.graphql(SEND, { input: { accountId: storeN1, to: '+447400300041', templateId: id } }, advanced);

    // Assert
    expect(updated.updateMessageTemplate).toEqual({ body: 'New {{firstName|friend}}', placeholders: ['firstName'] });
    expect(deleted.deleteMessageTemplate).toBe(id);
    expect(code(afterDelete)).toBe('NOT_FOUND');
  });

  describe('short links', () => {
    const longUrl = `https://shop.example.com/offers/${'a'.repeat(150)}?ref=sms`;
    const codesOf = (body: string) => [...body.matchAll(/https:\/\/sms\.example\/l\/([0-9A-Za-z]+)/g)].map((m) => m[1]);
    const get = (path: string) => fetch(`${origin}${path}`, { redirect: 'manual' });

    beforeAll(() => settings(storeN1, { trackableLinks: true }));

    it('replaces URLs by links unique per message and recipient, and bills the shortened body', async () => {
      // Act
      const sent = await stack.graphql(BULK, { input: { accountId: storeN1, to: ['+447400300101', '+447400300102'], body: `Sale! ${longUrl}. Also http://example.org/a` } }, advanced);

      // Assert
      expect(sent.errors).toBeUndefined();
      const rows = await bodiesOf(sent.data.sendBulk.batchId);
      const codes = rows.flatMap((r: { body: string }) => codesOf(r.body));
      expect(codes).toHaveLength(4);
      expect(new Set(codes).size).toBe(4);
      expect(codes.every((c) => /^[0-9A-Za-z]{12}$/.test(c))).toBe(true);
      expect(rows[0].body).toMatch(/^Sale! https:\/\/sms\.example\/l\/[0-9A-Za-z]{12}\. Also https:\/\/sms\.example\/l\/[0-9A-Za-z]{12}$/);
      // the original body (> 160 characters) would be 2 parts per message; the shortened one is 1
      expect(rows.map((r: { parts: number }) => r.parts)).toEqual([1, 1]);
      expect(sent.data.sendBulk).toMatchObject({ accepted: 2, costUnits: 2, partsPerMessage: 1 });
      const links = await stack.sql.query(`SELECT recipient, target_url FROM messaging.short_links WHERE batch_id = $1 ORDER BY recipient, target_url`, [sent.data.sendBulk.batchId]);
      expect(links.rows).toEqual([
        { recipient: '+447400300101', target_url: 'http://example.org/a' },
        { recipient: '+447400300101', target_url: longUrl },
        { recipient: '+447400300102', target_url: 'http://example.org/a' },
        { recipient: '+447400300102', target_url: longUrl },
      ]);
    });

    it('redirects through the gateway and counts clicks per message, recipient and batch', async () => {
      // Arrange
      const sent = await gql(BULK, { input: { accountId: storeN1, to: ['+447400300111', '+447400300112'], body: 'Menu: https://food.example/menu?day=1' } }, advanced);
      const rows = await bodiesOf(sent.sendBulk.batchId);
      const [first, second] = rows.map((r: { body: string }) => codesOf(r.body)[0]);

      // Act
      const clicks = [await get(`/l/${first}`), await get(`/l/${first}`), await get(`/l/${second}`)];
      const messages = await gql(`query($a: ID!, $b: ID!) { messages(accountId: $a, filter: { batchId: $b }) { nodes { recipient clicks trackedLinks { url shortUrl clicks } } } }`, { a: storeN1, b: sent.sendBulk.batchId }, advanced);
      const batch = await gql(`query($b: ID!) { batchClicks(batchId: $b) { links clicks clickedLinks clickedMessages } }`, { b: sent.sendBulk.batchId }, advanced);

      // Assert
      expect(clicks.map((r) => [r.status, r.headers.get('location')])).toEqual([
        [302, 'https://food.example/menu?day=1'],
        [302, 'https://food.example/menu?day=1'],
        [302, 'https://food.example/menu?day=1'],
      ]);
      const byRecipient = Object.fromEntries(messages.messages.nodes.map((n: { recipient: string; clicks: number }) => [n.recipient, n.clicks]));
      expect(byRecipient).toEqual({ '+447400300111': 2, '+447400300112': 1 });
      expect(messages.messages.nodes[0].trackedLinks[0]).toMatchObject({ url: 'https://food.example/menu?day=1', shortUrl: expect.stringMatching(/^https:\/\/sms\.example\/l\/[0-9A-Za-z]{12}$/) });
      expect(batch.batchClicks).toEqual({ links: 2, clicks: 3, clickedLinks: 2, clickedMessages: 2 });
      const perAccount = await stack.sql.query(`SELECT sum(clicks)::int AS n FROM messaging.short_links WHERE account_id = $1 AND batch_id = $2`, [storeN1, sent.sendBulk.batchId]);
      expect(perAccount.rows[0].n).toBe(3);
    });

    it('answers 404 to unknown, malformed and expired codes, and never redirects anywhere but a stored http(s) target', async () => {
      // Arrange
      const sent = await gql(SEND, { input: { accountId: storeN1, to: '+447400300121', body: 'Go https://expired.example/x and javascript:alert(1) ftp://files.example/y' } }, advanced);
      const [row] = await bodiesOf(sent.sendMessage.batchId);
      const [expiredCode] = codesOf(row.body);
      await stack.sql.query(`UPDATE messaging.short_links SET expires_at = now() - interval '1 second' WHERE code = $1`, [expiredCode]);
      const unknown = 'A'.repeat(12);
      const attempts = [`/l/${unknown}`, '/l/short', `/l/${expiredCode}`, '/l/https://evil.example', '/l//evil.example', `/l/${expiredCode}?to=https://evil.example`, '/l/%2F%2Fevil.example'];

      // Act
      const responses = await Promise.all(attempts.map((path) => get(path)));
      const storedBadTarget = await stack.sql
        .query(`INSERT INTO messaging.short_links (code, account_id, message_id, recipient, target_url, expires_at) VALUES ('BBBBBBBBBBBB', $1, $2, '+447400300121', 'javascript:alert(1)', now() + interval '1 day')`, [storeN1, sent.sendMessage.messageIds[0]])
        .catch((error: Error) => error);

      // Assert
      expect(responses.map((r) => r.status)).toEqual(attempts.map(() => 404));
      expect(responses.every((r) => r.headers.get('location') === null)).toBe(true);
      expect(row.body).toContain('javascript:alert(1) ftp://files.example/y');
      expect(codesOf(row.body)).toHaveLength(1);
      expect(storedBadTarget).toBeInstanceOf(Error);
      const clicked = await stack.sql.query(`SELECT clicks FROM messaging.short_links WHERE code = $1`, [expiredCode]);
      expect(clicked.rows[0].clicks).toBe(0);
    });

    it('leaves bodies alone when the account has trackable links off', async () => {
      // Act
      const sent = await gql(SEND, { input: { accountId: storeN2, to: '+447400300131', body: 'See https://example.com/page', idempotencyKey: crypto.randomUUID() } }, hqAdmin);

      // Assert
      expect((await bodiesOf(sent.sendMessage.batchId))[0].body).toBe('See https://example.com/page');
      expect((await stack.sql.query(`SELECT count(*)::int AS n FROM messaging.short_links WHERE batch_id = $1`, [sent.sendMessage.batchId])).rows[0].n).toBe(0);
    });
  });
});

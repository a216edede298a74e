import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { codeOf as code } from '@platform/testing';

jest.setTimeout(120_000);

const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { accepted skipped { recipient reason } } }`;
const INBOUND = `mutation($a: ID!, $from: String!, $body: String!) { injectInboundMessage(accountId: $a, from: $from, body: $body) { conversationId optedOut } }`;
const INBOX = `query($a: ID!) { inbox(accountId: $a) { nodes { id phoneNumber messages { nodes { direction body } } } } }`;
const REPLY = `mutation($c: ID!) { replyToConversation(conversationId: $c, body: "Thanks for your answer") { accepted } }`;
const RESUBSCRIBE = `mutation($a: ID!, $p: String!) { resubscribeContact(accountId: $a, phoneNumber: $p) }`;
const IMPORT = `mutation($a: ID!, $csv: String!, $g: ID) { importContacts(accountId: $a, csv: $csv, groupId: $g) { imported merged rejected { line code reason } } }`;

describe('inbox, opt-outs and contact import (SPEC M4, M5, I2)', () => {
  let stack: TestStack;
  let hqAdmin: string;
  let advanced: string;
  let basic: string;
  const storeN1 = demoAccount('store-n1').id;
  const marketing = demoAccount('store-n1-marketing').id;

  beforeAll(async () => {
    stack = await startTestStack({ env: { MESSAGING_WORKER_INTERVAL_MS: '0' } });
    hqAdmin = await stack.login(demoUser('hq-admin').email);
    advanced = await stack.login(demoUser('n1-advanced').email);
    basic = await stack.login(demoUser('n1-marketing').email);
    await stack.graphql(`mutation($id: ID!) { updateAccountSettings(id: $id, input: { clear: [SENDING_WINDOW] }) { id } }`, { id: demoAccount('hq').id }, hqAdmin);
  });
  afterAll(() => stack?.close());

  describe('inbox (SPEC M4)', () => {
    const own = '+447400800001';
    const colleagues = '+447400800002';
    const stranger = '+447400800003';
    const conversations: Record<string, string> = {};

    beforeAll(async () => {
      // The basic user writes to one number, an advanced user of the parent store to another; three numbers answer.
      await stack.graphql(SEND, { input: { accountId: marketing, to: own, body: 'Your order is ready' } }, basic);
      await stack.graphql(SEND, { input: { accountId: marketing, to: colleagues, body: 'Your invoice' } }, advanced);
      for (const [from, body] of [[own, 'On my way'], [colleagues, 'Call me'], [stranger, 'Who is this']]) {
        const inbound = await stack.graphql(INBOUND, { a: marketing, from, body }, hqAdmin);
        conversations[from] = inbound.data.injectInboundMessage.conversationId;
      }
    });

    it('shows a basic user only the conversations started from their own messages, an advanced user every conversation', async () => {
      // Act
      const basicInbox = await stack.graphql(INBOX, { a: marketing }, basic);
      const advancedInbox = await stack.graphql(INBOX, { a: marketing }, advanced);

      // Assert
      expect(basicInbox.data.inbox.nodes).toEqual([{ id: conversations[own], phoneNumber: own, messages: { nodes: [{ direction: 'OUTBOUND', body: 'Your order is ready' }, { direction: 'INBOUND', body: 'On my way' }] } }]);
      expect(advancedInbox.data.inbox.nodes.map((c: { phoneNumber: string }) => c.phoneNumber).sort()).toEqual([own, colleagues, stranger]);
    });

    it('lets a basic user reply only to those conversations; an advanced user replies to any', async () => {
      // Arrange
      const before = Number((await stack.sql.query(`SELECT count(*) FROM messaging.messages WHERE account_id = $1`, [marketing])).rows[0].count);

      // Act
      const toOwn = await stack.graphql(REPLY, { c: conversations[own] }, basic);
      const toColleagues = await stack.graphql(REPLY, { c: conversations[colleagues] }, basic);
      const toStranger = await stack.graphql(REPLY, { c: conversations[stranger] }, basic);
      const byAdvanced = await stack.graphql(REPLY, { c: conversations[stranger] }, advanced);

      // Assert
      expect(toOwn.data.replyToConversation.accepted).toBe(1);
      expect([code(toColleagues), code(toStranger)]).toEqual(['NOT_FOUND', 'NOT_FOUND']);
      expect(byAdvanced.data.replyToConversation.accepted).toBe(1);
      const { rows } = await stack.sql.query(`SELECT recipient, user_id FROM messaging.messages WHERE account_id = $1 ORDER BY created_at OFFSET $2`, [marketing, before]);
      expect(rows).toEqual([
        { recipient: own, user_id: demoUser('n1-marketing').id },
        { recipient: stranger, user_id: demoUser('n1-advanced').id },
      ]);
    });
  });

  describe('opt-out and resubscription (SPEC M5, I2)', () => {
    const number = '+447400810001';

    it('an opt-out keyword unsubscribes the number from that account only; a basic user cannot resubscribe it, an admin can', async () => {
      // Arrange
      await stack.graphql(SEND, { input: { accountId: marketing, to: number, body: 'Weekly offers' } }, basic);

      // Act
      const stop = await stack.graphql(INBOUND, { a: marketing, from: number, body: 'Stop' }, hqAdmin);
      const whileOptedOut = await stack.graphql(SEND, { input: { accountId: marketing, to: number, body: 'Weekly offers' } }, basic);
      const fromParent = await stack.graphql(SEND, { input: { accountId: storeN1, to: number, body: 'Store news' } }, advanced);
      const byBasic = await stack.graphql(RESUBSCRIBE, { a: marketing, p: number }, basic);
      const stillOptedOut = await stack.sql.query(`SELECT count(*)::int AS n FROM messaging.opt_outs WHERE account_id = $1 AND phone_number = $2`, [marketing, number]);
      const byAdmin = await stack.graphql(RESUBSCRIBE, { a: marketing, p: number }, hqAdmin);
      const again = await stack.graphql(RESUBSCRIBE, { a: marketing, p: number }, hqAdmin);
      const afterResubscribe = await stack.graphql(SEND, { input: { accountId: marketing, to: number, body: 'Weekly offers' } }, basic);

      // Assert
      expect(stop.data.injectInboundMessage.optedOut).toBe(true);
      expect(whileOptedOut.data.sendMessage).toEqual({ accepted: 0, skipped: [{ recipient: number, reason: 'OPTED_OUT' }] });
      expect(fromParent.data.sendMessage.accepted).toBe(1);
      expect(code(byBasic)).toBe('FORBIDDEN');
      expect(stillOptedOut.rows[0].n).toBe(1);
      expect(byAdmin.data.resubscribeContact).toBe(true);
      expect(code(again)).toBe('INVALID_STATE');
      expect(afterResubscribe.data.sendMessage).toEqual({ accepted: 1, skipped: [] });
    });
  });

  describe('CSV import (SPEC M5, H5)', () => {
    const contactsOf = async (accountId: string, phones: string[]) =>
      (
        await stack.sql.query(`SELECT phone_number, first_name, last_name, email FROM messaging.contacts WHERE account_id = $1 AND phone_number = ANY($2) ORDER BY phone_number, created_at`, [
          accountId,
          phones,
        ])
      ).rows;

    it('imports the valid rows, reports every bad row with its line and reason, and merges duplicates', async () => {
      // Arrange: an existing contact, a group, and a file with bad rows and duplicates
      await stack.graphql(`mutation($a: ID!) { createContact(accountId: $a, input: { phoneNumber: "+447400820004", firstName: "Finn" }) { id } }`, { a: storeN1 }, advanced);
      const group = await stack.graphql(`mutation($a: ID!) { createContactGroup(accountId: $a, name: "Imported") { id } }`, { a: storeN1 }, advanced);
      const csv = [
        'Phone,First Name,Last Name,Email',
        '+447400820001,Ann,Lee,ann@example.com', // 2: imported
        'not a number,Bob,,', // 3: rejected
        ',Cy,,', // 4: rejected
        '07400 820002,Dee,,dee@invalid', // 5: rejected (email)
        '+44 7400 820001,,Lee-Smith,', // 6: same number as line 2: merged into it
        '07400820003,Eve,,', // 7: imported (national form, default country GB)
        '+447400820004,,Fisher,finn@example.com', // 8: merged into the existing contact
      ].join('\n');

      // Act
      const report = await stack.graphql(IMPORT, { a: storeN1, csv, g: group.data.createContactGroup.id }, advanced);

      // Assert
      expect(report.errors).toBeUndefined();
      expect(report.data.importContacts).toEqual({
        imported: 2,
        merged: 2,
        rejected: [
          { line: 3, code: 'INVALID_PHONE_NUMBER', reason: 'not a valid phone number' },
          { line: 4, code: 'MISSING_PHONE_NUMBER', reason: 'no phone number' },
          { line: 5, code: 'BAD_USER_INPUT', reason: 'email is not a valid address' },
        ],
      });
      expect(await contactsOf(storeN1, ['+447400820001', '+447400820002', '+447400820003', '+447400820004'])).toEqual([
        { phone_number: '+447400820001', first_name: 'Ann', last_name: 'Lee-Smith', email: 'ann@example.com' },
        { phone_number: '+447400820003', first_name: 'Eve', last_name: null, email: null },
        { phone_number: '+447400820004', first_name: 'Finn', last_name: 'Fisher', email: 'finn@example.com' },
      ]);
      const members = await stack.sql.query(`SELECT count(*)::int AS n FROM messaging.group_members WHERE group_id = $1`, [group.data.createContactGroup.id]);
      expect(members.rows[0].n).toBe(3);
      expect(JSON.stringify(report)).not.toContain('820002'); // a rejected row's number is not echoed
    });

    it('keeps duplicates as separate contacts when the account allows duplicate contacts', async () => {
      // Arrange
      const storeN2 = demoAccount('store-n2').id;
      await stack.graphql(`mutation($id: ID!) { updateAccountSettings(id: $id, input: { allowDuplicateContacts: true }) { id } }`, { id: storeN2 }, hqAdmin);
      const csv = 'phone,first_name\n+447400830001,Gus\n+447400830001,Gus (work)\n';

      // Act
      const report = await stack.graphql(IMPORT, { a: storeN2, csv }, hqAdmin);

      // Assert
      expect(report.data.importContacts).toEqual({ imported: 2, merged: 0, rejected: [] });
      expect((await contactsOf(storeN2, ['+447400830001'])).map((c: { first_name: string }) => c.first_name)).toEqual(['Gus', 'Gus (work)']);
    });
  });
});

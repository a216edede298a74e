import crypto from 'node:crypto';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { expectError, expectNoErrors } from '@platform/testing';

jest.setTimeout(120_000);

/** The thread view of the portal's inbox (issue 18, page 8): one conversation by id, as the inbox list decides who holds it (SPEC M4). */
describe('conversation(id) through the gateway', () => {
  let stack: TestStack;
  let basic: string;
  let advanced: string;
  const conversations: Record<'own' | 'colleague', string> = { own: '', colleague: '' };
  const marketing = demoAccount('store-n1-marketing').id;
  const read = (id: string, token: string) => stack.graphql(`query($id: ID!) { conversation(id: $id) { id accountId phoneNumber messages { nodes { direction body } } } }`, { id }, token);

  beforeAll(async () => {
    stack = await startTestStack({ env: { MESSAGING_WORKER_INTERVAL_MS: '0' } });
    const hqAdmin = await stack.login(demoUser('hq-admin').email);
    basic = await stack.login(demoUser('n1-marketing').email);
    advanced = await stack.login(demoUser('n1-advanced').email);
    expectNoErrors(await stack.graphql(`mutation($id: ID!) { updateAccountSettings(id: $id, input: { clear: [SENDING_WINDOW] }) { id } }`, { id: demoAccount('hq').id }, hqAdmin));
    const senders: [keyof typeof conversations, string, string][] = [
      ['own', basic, '+447400800001'],
      ['colleague', hqAdmin, '+447400800002'],
    ];
    for (const [which, token, number] of senders) {
      expectNoErrors(await stack.graphql(`mutation($input: SendMessageInput!) { sendMessage(input: $input) { batchId } }`, { input: { accountId: marketing, to: number, body: `Hello from ${which}` } }, token));
      const inbound = expectNoErrors(await stack.graphql(`mutation($a: ID!, $from: String!) { injectInboundMessage(accountId: $a, from: $from, body: "Reply to ${which}") { conversationId } }`, { a: marketing, from: number }, hqAdmin));
      conversations[which] = inbound.injectInboundMessage.conversationId;
    }
  });
  afterAll(() => stack?.close());

  it('a basic user reads the thread of their own message, both ways', async () => {
    // Act
    const { conversation } = expectNoErrors(await read(conversations.own, basic));

    // Assert
    expect(conversation).toEqual({
      id: conversations.own,
      accountId: marketing,
      phoneNumber: '+447400800001',
      messages: { nodes: [{ direction: 'OUTBOUND', body: 'Hello from own' }, { direction: 'INBOUND', body: 'Reply to own' }] },
    });
  });

  it("a basic user is told a colleague's conversation does not exist, exactly as an id that exists nowhere", async () => {
    // Act
    const colleague = await read(conversations.colleague, basic);
    const nowhere = await read(crypto.randomUUID(), basic);

    // Assert
    expectError(colleague, 'NOT_FOUND');
    expect(colleague.data).toBeNull();
    expect(JSON.stringify(colleague.errors?.map((e) => [e.message, e.extensions?.code]))).toBe(JSON.stringify(nowhere.errors?.map((e) => [e.message, e.extensions?.code])));
  });

  it("an advanced user of a parent account reads the colleague's conversation", async () => {
    // Act
    const { conversation } = expectNoErrors(await read(conversations.colleague, advanced));

    // Assert
    expect(conversation.phoneNumber).toBe('+447400800002');
    expect(conversation.messages.nodes.map((entry: { body: string }) => entry.body)).toEqual(['Hello from colleague', 'Reply to colleague']);
  });
});

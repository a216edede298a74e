import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { expectError, expectNoErrors } from '@platform/testing';

const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { batchId } }`;
const SETTINGS = `mutation($id: ID!, $input: AccountSettingsInput!) { updateAccountSettings(id: $id, input: $input) { id } }`;

/**
 * Issue 14 item 8: a send that meets a default (sender ID, template) that is no longer usable says
 * so precisely, so the portal can point at the setting; a settings input reports every invalid
 * field at once and changes nothing.
 */
describe('dangling defaults and settings refusals', () => {
  let stack: TestStack;
  let hqAdmin: string;
  const store = demoAccount('store-n2').id;

  beforeAll(async () => {
    stack = await startTestStack();
    hqAdmin = await stack.login(demoUser('hq-admin').email);
  });
  afterAll(() => stack.close());

  it('a default sender ID that is not active names the setting; a named one that is not usable stays SENDER_NOT_ALLOWED', async () => {
    // Arrange: the default points at a short code still waiting for the operator's approval
    const pending = expectNoErrors(await stack.graphql(`mutation($a: ID!) { requestSenderId(accountId: $a, input: { kind: SHORT_CODE, value: "60080" }) { id } }`, { a: store }, hqAdmin)).requestSenderId.id;
    expectNoErrors(await stack.graphql(SETTINGS, { id: store, input: { defaultSenderId: pending } }, hqAdmin));

    // Act
    const byDefault = await stack.graphql(SEND, { input: { accountId: store, to: '+447400500001', body: 'Hello' } }, hqAdmin);
    const named = await stack.graphql(SEND, { input: { accountId: store, to: '+447400500001', body: 'Hello', senderId: pending } }, hqAdmin);
    const messages = (await stack.sql.query(`SELECT count(*)::int AS n FROM messaging.messages WHERE recipient = '+447400500001'`)).rows[0].n;

    // Assert
    expect(expectError(byDefault, 'DEFAULT_SENDER_UNAVAILABLE').extensions?.field).toBe('senderId');
    expectError(named, 'SENDER_NOT_ALLOWED');
    expect(messages).toBe(0);
  });

  it('a default template that was deleted names the setting', async () => {
    // Arrange
    const template = expectNoErrors(await stack.graphql(`mutation($a: ID!) { createMessageTemplate(accountId: $a, input: { name: "Gone", body: "Soon gone" }) { id } }`, { a: store }, hqAdmin)).createMessageTemplate.id;
    expectNoErrors(await stack.graphql(SETTINGS, { id: store, input: { defaultTemplateId: template, clear: ['DEFAULT_SENDER_ID'] } }, hqAdmin));
    expectNoErrors(await stack.graphql(`mutation($id: ID!) { deleteMessageTemplate(id: $id) }`, { id: template }, hqAdmin));

    // Act
    const response = await stack.graphql(SEND, { input: { accountId: store, to: '+447400500002' } }, hqAdmin);

    // Assert
    expect(expectError(response, 'DEFAULT_TEMPLATE_UNAVAILABLE').extensions?.field).toBe('templateId');
  });

  it('a settings input with several invalid fields reports them all and changes nothing', async () => {
    // Arrange
    const READ = `query($id: ID!) { account(id: $id) { name settings { timezone defaultSenderId sendingWindow { start end } smsLimits { daily monthly } } } }`;
    const before = expectNoErrors(await stack.graphql(READ, { id: store }, hqAdmin));

    // Act
    const response = await stack.graphql(
      SETTINGS,
      { id: store, input: { name: ' ', timezone: 'Mars/Olympus', defaultSenderId: 'sender-1', smsLimits: { daily: -1, monthly: 10 }, sendingWindow: { days: ['MONDAY'], start: '18:00', end: '09:00' } } },
      hqAdmin,
    );
    const after = expectNoErrors(await stack.graphql(READ, { id: store }, hqAdmin));

    // Assert
    const error = expectError(response, 'BAD_USER_INPUT');
    expect((error.extensions?.fields as { field: string; code: string }[]).map((f) => [f.field, f.code])).toEqual([
      ['name', 'BAD_USER_INPUT'],
      ['timezone', 'BAD_USER_INPUT'],
      ['defaultSenderId', 'BAD_USER_INPUT'],
      ['sendingWindow', 'BAD_USER_INPUT'],
      ['smsLimits.daily', 'BAD_USER_INPUT'],
    ]);
    expect(after).toEqual(before);
  });
});

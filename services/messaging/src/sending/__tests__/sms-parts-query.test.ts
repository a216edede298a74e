import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { expectError, expectNoErrors } from '@platform/testing';

jest.setTimeout(120_000);

/** The live count of a send form (issue 18, page 7): smsParts counts a body as the send charges it (SPEC M1). */
describe('smsParts through the gateway', () => {
  let stack: TestStack;
  let basic: string;
  const marketing = demoAccount('store-n1-marketing').id;

  beforeAll(async () => {
    stack = await startTestStack({ env: { MESSAGING_WORKER_INTERVAL_MS: '0' } });
    basic = await stack.login(demoUser('n1-marketing').email);
  });
  afterAll(() => stack?.close());

  const count = (body: string, token?: string) => stack.graphql(`query($body: String!) { smsParts(body: $body) { encoding parts length costUnits } }`, { body }, token);

  it.each([
    ['a GSM-7 body of two parts', 'Spring sale! '.repeat(13)],
    ['a UCS-2 body of two parts', 'Grüße 🌷 '.repeat(9)],
    ['a one-part body with an extension character', 'Price: 10€ [today]'],
  ])('counts %s as the send of it charges one recipient', async (_name, body) => {
    // Arrange
    const send = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { encoding partsPerMessage costUnits } }`;

    // Act
    const counted = expectNoErrors(await count(body, basic)).smsParts;
    const sent = expectNoErrors(await stack.graphql(send, { input: { accountId: marketing, to: '+447400900001', body } }, basic)).sendMessage;

    // Assert
    expect(counted.parts).toBeGreaterThan(0);
    expect({ encoding: counted.encoding, parts: counted.parts, costUnits: counted.costUnits }).toEqual({ encoding: sent.encoding, parts: sent.partsPerMessage, costUnits: sent.costUnits });
  });

  it('refuses a body longer than a send accepts, on the body field', async () => {
    // Act
    const response = await count('x'.repeat(1601), basic);

    // Assert
    const error = expectError(response, 'BAD_USER_INPUT');
    expect(error.extensions?.field).toBe('body');
  });

  it('needs a credential', async () => {
    // Act
    const response = await count('Hello');

    // Assert
    expectError(response, 'UNAUTHENTICATED');
  });
});

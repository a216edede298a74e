import { demoAccount } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { codeOf, LogCapture } from '@platform/testing';

describe('an unexpected database error is logged with its statement, not its values (issue 12, item 19)', () => {
  let stack: TestStack;
  const logs = new LogCapture();

  beforeAll(async () => {
    stack = await startTestStack({ env: { LOG_LEVEL: 'info' }, logDestination: logs });
  });
  afterAll(() => stack?.close());

  it('a failing INSERT of a contact logs the statement and the constraint, never the number, names or email', async () => {
    // Arrange: a constraint the code does not expect makes the contact INSERT fail inside PostgreSQL.
    await stack.sql.query(`ALTER TABLE messaging.contacts ADD CONSTRAINT reject_for_log_test CHECK (first_name IS DISTINCT FROM 'Logtest')`);
    const token = await stack.login('hq.admin@retail.example');
    const personal = { phone: '+447400123417', firstName: 'Logtest', lastName: 'Personaldata', email: 'logtest.personal@example.com' };

    // Act
    const response = await stack.graphql(
      `mutation($a: ID!, $input: ContactInput!) { createContact(accountId: $a, input: $input) { id } }`,
      { a: demoAccount('store-n1').id, input: { phoneNumber: personal.phone, firstName: personal.firstName, lastName: personal.lastName, email: personal.email } },
      token,
    );

    // Assert
    expect(codeOf(response)).toBe('INTERNAL_SERVER_ERROR');
    const errorLines = logs.text.split('\n').filter((line) => line.includes('reject_for_log_test'));
    expect(errorLines.length).toBeGreaterThan(0);
    expect(errorLines.join('\n')).toContain('INSERT INTO messaging.contacts');
    for (const value of [personal.phone, personal.lastName, personal.email, '7400123417']) expect(logs.text).not.toContain(value);
  });
});

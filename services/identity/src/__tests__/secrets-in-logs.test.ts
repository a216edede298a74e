import { demoAccount, demoUser, DEMO_PASSWORD } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { LogCapture } from '@platform/testing';
import { invitationTokenFor } from './helpers';

describe('no plaintext secret in the logs (SPEC I4, I7, M10; G5)', () => {
  let stack: TestStack;
  const logs = new LogCapture();

  beforeAll(async () => {
    stack = await startTestStack({ env: { LOG_LEVEL: 'trace' }, logDestination: logs });
  });
  afterAll(() => stack?.close());

  it('passwords, session tokens, invitation tokens, API keys and webhook secrets never reach a log line', async () => {
    // Arrange: every kind of secret goes through the API, including refusals that get logged
    const password = 'secret-password-for-log-grep';
    const hqAdmin = await stack.login(demoUser('hq-admin').email);
    await stack.graphql(`mutation { login(email: "hq.admin@retail.example", password: "wrong-password-for-log-grep") { token } }`);
    await stack.graphql(`mutation($a: ID!) { inviteUser(accountId: $a, email: "loggrep@retail.example", role: BASIC_USER) { id } }`, { a: demoAccount('south').id }, hqAdmin);
    const invitation = await invitationTokenFor(stack, 'loggrep@retail.example');
    const accepted = await stack.graphql(`mutation($t: String!, $p: String!) { acceptInvitation(token: $t, name: "Log Grep", password: $p) { token } }`, { t: invitation, p: password });
    const reused = await stack.graphql(`mutation($t: String!, $p: String!) { acceptInvitation(token: $t, name: "Again", password: $p) { token } }`, { t: invitation, p: password });
    const key = (await stack.graphql(`mutation($a: ID!) { createApiKey(accountId: $a, name: "log-grep", role: BASIC_USER) { key } }`, { a: demoAccount('south').id }, hqAdmin)).data.createApiKey.key;
    await stack.graphql(`{ accountTree { id } }`, {}, key);
    await stack.graphql(`{ accountTree { id } }`, {}, `${key.slice(0, -3)}xyz`);
    const webhook = await stack.graphql(
      `mutation($a: ID!) { createWebhookEndpoint(input: { accountId: $a, url: "https://93.184.215.14/log-grep", eventTypes: ["message.status"] }) { secret } }`,
      { a: demoAccount('south').id },
      hqAdmin,
    );
    const webhookSecret: string = webhook.data.createWebhookEndpoint.secret;
    await stack.graphql(`mutation { logout }`, {}, accepted.data.acceptInvitation.token);
    await stack.graphql(`{ me { user { email } } }`, {}, accepted.data.acceptInvitation.token);
    const secrets = [password, 'wrong-password-for-log-grep', DEMO_PASSWORD, hqAdmin, invitation, accepted.data.acceptInvitation.token, key, webhookSecret, webhookSecret.slice('whsec_'.length)];

    // Act
    const logged = logs.text;
    const leaked = secrets.filter((secret) => logged.includes(secret));

    // Assert: the servers did log these requests (so the check is not vacuous), and no secret is in them
    expect(reused.errors?.[0].extensions?.code).toBeDefined();
    expect(logged.split('\n').filter((line) => line.includes('"msg":"request"')).length).toBeGreaterThan(10);
    expect(leaked).toEqual([]);
  });
});

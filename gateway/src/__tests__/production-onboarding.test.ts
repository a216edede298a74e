import { spawn } from 'node:child_process';
import path from 'node:path';
import { readMailOutbox } from '@platform/mail';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { expectNoErrors, principalKeyEnvironment } from '@platform/testing';

const ROOT = path.join(__dirname, '..', '..', '..');

/** Runs a script of the README as an operator would, answering its output. */
function runScript(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${script} exited with ${code}: ${output}`))));
  });
}

describe('a fresh production install, operated as the README says (issue 15)', () => {
  let stack: TestStack;
  const production = { NODE_ENV: 'production', LOG_LEVEL: 'silent', INTERNAL_SIGNING_SECRET: 'p'.repeat(40), WEBHOOK_ENCRYPTION_KEY: 'w'.repeat(40), ...principalKeyEnvironment() };
  beforeAll(async () => {
    stack = await startTestStack({ seedDemo: false, env: production });
  });
  afterAll(() => stack.close());

  it('creates the first operator from the command line, onboards a customer, grants it credit and invites its admin, who signs in and sends a message', async () => {
    // Arrange: nothing but an empty, migrated production database
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM hierarchy.accounts`)).rows[0].n).toBe(0);
    const output = await runScript('scripts/create-operator.ts', ['--email', 'ops@provider.example', '--name', 'Oona Perator'], { ...process.env, ...production, DATABASE_URL: stack.database.url });
    const setupToken = /setup\?token=(opsetup_\w+)/.exec(output)![1];

    // Act
    const operator = expectNoErrors(await stack.graphql(`mutation($t: String!) { completeOperatorSetup(token: $t, password: "a-strong-operator-password") { token operator { role } } }`, { t: setupToken })).completeOperatorSetup;
    const as = (token: string) => async (query: string, variables: Record<string, unknown> = {}) => expectNoErrors(await stack.graphql(query, variables, token));
    const ops = as(operator.token);
    const customer = (await ops(`mutation { createCustomer(input: { name: "Kafeneio Ltd", timezone: "Europe/Athens" }) { id } }`)).createCustomer.id;
    await ops(`mutation($a: ID!) { setBillingMode(accountId: $a, mode: PREPAID) { id } }`, { a: customer });
    await ops(`mutation($a: ID!) { adjustCredit(input: { accountId: $a, units: 100, reason: "Welcome credit" }) { id } }`, { a: customer });
    await ops(`mutation($a: ID!) { inviteCustomerAdmin(accountId: $a, email: "owner@kafeneio.example") { id } }`, { a: customer });
    const [mail] = await readMailOutbox(stack.db, 'identity', production.INTERNAL_SIGNING_SECRET, 'owner@kafeneio.example');
    const invitation = /Invitation token: (inv_\w+)/.exec(mail.text)![1];
    expectNoErrors(await stack.graphql(`mutation($t: String!) { acceptInvitation(token: $t, name: "Eleni Owner", password: "kafeneio-owner-password") { token } }`, { t: invitation }));
    const owner = expectNoErrors(await stack.graphql(`mutation { login(email: "owner@kafeneio.example", password: "kafeneio-owner-password") { token } }`)).login.token;
    const sent = (await as(owner)(`mutation($a: ID!) { sendMessage(input: { accountId: $a, to: "+306912345678", body: "Kalimera!" }) { batchId accepted } }`, { a: customer })).sendMessage;
    const customerLog = (await as(owner)(`query($a: ID!) { activityLog(accountId: $a) { entries { action actorKind } } }`, { a: customer })).activityLog.entries;

    // Assert
    expect(operator.operator.role).toBe('OPERATOR_ADMIN');
    expect(mail.subject).toBe('Oona Perator (the platform operator) invited you to Kafeneio Ltd');
    expect(sent.batchId).toEqual(expect.any(String));
    expect(customerLog).toEqual(expect.arrayContaining([
      { action: 'createCustomer', actorKind: 'OPERATOR' },
      { action: 'setBillingMode', actorKind: 'OPERATOR' },
      { action: 'adjustCredit', actorKind: 'OPERATOR' },
      { action: 'inviteCustomerAdmin', actorKind: 'OPERATOR' },
      { action: 'sendMessage', actorKind: 'USER' },
    ]));
  });
});

import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { codeOf as code } from '@platform/testing';
import { readMailOutbox } from '@platform/mail';
import { createEndpoint, createTestDispatcher, dispatchRound, startReceiver, verifyStandardWebhook, type Receiver } from '../webhooks/__tests__/webhook-kit';
import type { WebhookDispatcher } from '../webhooks/dispatcher';

jest.setTimeout(180_000);

/** An HTTP refusal as [status, extensions.code]. */
const refusal = async (response: Response) => [response.status, ((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code];

describe('email to SMS (SPEC M9) and automation rules (SPEC M11)', () => {
  let stack: TestStack;
  let hqAdmin: string;
  let origin: string;
  const hq = demoAccount('hq').id;
  const storeN1 = demoAccount('store-n1').id;
  const storeS1 = demoAccount('store-s1').id;

  beforeAll(async () => {
    stack = await startTestStack({ env: { MESSAGING_WORKER_INTERVAL_MS: '0', WEBHOOK_DISPATCH_INTERVAL_MS: '0', WEBHOOK_ALLOW_LOOPBACK_URLS: 'true' } });
    origin = new URL(stack.gatewayUrl).origin;
    hqAdmin = await stack.login(demoUser('hq-admin').email);
    await stack.graphql(`mutation($id: ID!) { updateAccountSettings(id: $id, input: { clear: [SENDING_WINDOW] }) { id } }`, { id: hq }, hqAdmin);
  });
  afterAll(() => stack?.close());

  const gql = async (query: string, variables: Record<string, unknown>, token = hqAdmin) => {
    const response = await stack.graphql(query, variables, token);
    if (response.errors) throw new Error(JSON.stringify(response.errors));
    return response.data;
  };
  const settings = (accountId: string, input: Record<string, unknown>) =>
    gql(`mutation($id: ID!, $input: AccountSettingsInput!) { updateAccountSettings(id: $id, input: $input) { id } }`, { id: accountId, input });
  const messagesTo = async (recipient: string) =>
    (await stack.sql.query(`SELECT account_id, user_id, body, status FROM messaging.messages WHERE recipient = $1 ORDER BY created_at`, [recipient])).rows;

  describe('email to SMS', () => {
    let secret: string;
    const post = (body: unknown, secretHeader: string | null = secret) =>
      fetch(`${origin}/inbound/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(secretHeader ? { 'x-email-to-sms-secret': secretHeader } : {}) },
        body: JSON.stringify(body),
      });
    const email = (to: string, from = 'Alerts <alerts@store-n1.example>') => ({ from, to, subject: 'Delivery', text: 'Your parcel arrives today' });

    beforeAll(async () => {
      await settings(storeN1, { emailToSmsEnabled: true });
      await gql(`mutation($a: ID!) { registerEmailToSmsSender(accountId: $a, email: "alerts@store-n1.example") { id } }`, { a: storeN1 });
      secret = (await gql(`mutation($a: ID!) { rotateEmailToSmsSecret(accountId: $a) { secret secretPrefix path header } }`, { a: storeN1 })).rotateEmailToSmsSecret.secret;
    });

    it('turns an email of a registered sender into an SMS of the account, without a user', async () => {
      // Act
      const response = await post(email('447400500123@sms.example'));
      const answer = (await response.json()) as Record<string, unknown>;

      // Assert
      expect(response.status).toBe(202);
      expect(answer).toMatchObject({ accepted: 1, status: 'QUEUED', costUnits: 1 });
      expect(await messagesTo('+447400500123')).toEqual([{ account_id: storeN1, user_id: null, body: 'Your parcel arrives today', status: 'QUEUED' }]);
      const logged = await stack.sql.query(`SELECT actor_kind, actor_id, target_account_id FROM messaging.activity_log WHERE action = 'emailToSms'`);
      expect(logged.rows).toEqual([{ actor_kind: 'SERVICE', actor_id: expect.stringMatching(/^email-to-sms:/), target_account_id: storeN1 }]);
    });

    it('refuses an unregistered sender (403), a bad secret (401), an invalid number (400) and a disabled account (403), recording the refusals', async () => {
      // Arrange
      const before = await stack.sql.query(`SELECT count(*)::int AS n FROM messaging.messages WHERE account_id = $1`, [storeN1]);

      // Act
      const unregistered = await post(email('447400500124@sms.example', 'intruder@evil.example'));
      const badSecret = await post(email('447400500124@sms.example'), `e2s_${'x'.repeat(43)}`);
      const noSecret = await post(email('447400500124@sms.example'), null);
      const invalidNumbers = [await post(email('not-a-number@sms.example')), await post(email('12@sms.example')), await post(email('447400500124'))];
      await settings(storeN1, { emailToSmsEnabled: false });
      const disabled = await post(email('447400500124@sms.example'));
      await settings(storeN1, { emailToSmsEnabled: true });
      const config = await gql(`query($a: ID!) { emailToSms(accountId: $a) { enabled secretPrefix senders { email } rejections { from code } } }`, { a: storeN1 });

      // Assert
      expect(await refusal(unregistered)).toEqual([403, 'EMAIL_SENDER_NOT_REGISTERED']);
      expect(await refusal(badSecret)).toEqual([401, 'UNAUTHENTICATED']);
      expect(noSecret.status).toBe(401);
      expect(await Promise.all(invalidNumbers.map(refusal))).toEqual(invalidNumbers.map(() => [400, 'INVALID_PHONE_NUMBER']));
      expect(await refusal(disabled)).toEqual([403, 'EMAIL_TO_SMS_DISABLED']);
      expect((await stack.sql.query(`SELECT count(*)::int AS n FROM messaging.messages WHERE account_id = $1`, [storeN1])).rows[0].n).toBe(before.rows[0].n);
      expect(config.emailToSms.enabled).toBe(true);
      expect(config.emailToSms.secretPrefix).toBe(secret.slice(0, 10));
      expect(config.emailToSms.senders).toEqual([{ email: 'alerts@store-n1.example' }]);
      expect(config.emailToSms.rejections.map((r: { code: string }) => r.code).sort()).toEqual(['EMAIL_SENDER_NOT_REGISTERED', 'EMAIL_TO_SMS_DISABLED', 'INVALID_PHONE_NUMBER', 'INVALID_PHONE_NUMBER', 'INVALID_PHONE_NUMBER']);
      expect(config.emailToSms.rejections.find((r: { code: string }) => r.code === 'EMAIL_SENDER_NOT_REGISTERED').from).toBe('intruder@evil.example');
    });

    it('refuses an email holding a lone UTF-16 surrogate with 400 BAD_USER_INPUT, recording and sending nothing', async () => {
      // Arrange
      const count = async (table: string) => (await stack.sql.query(`SELECT count(*)::int AS n FROM ${table} WHERE account_id = $1`, [storeN1])).rows[0].n as number;
      const before = [await count('messaging.messages'), await count('messaging.email_to_sms_rejections')];

      // Act
      const response = await post({ ...email('447400500126@sms.example'), subject: 'Broken \ud800 subject' });

      // Assert
      expect(await refusal(response)).toEqual([400, 'BAD_USER_INPUT']);
      expect([await count('messaging.messages'), await count('messaging.email_to_sms_rejections')]).toEqual(before);
    });

    it('still enforces the SMS limits of the account (M2) and stores the secret hashed only', async () => {
      // Arrange
      const used = await stack.sql.query(`SELECT coalesce(max(used), 0)::int AS n FROM messaging.sms_counters WHERE account_id = $1 AND period_kind = 'DAY'`, [storeN1]);
      await settings(storeN1, { smsLimits: { daily: used.rows[0].n } });

      // Act
      const limited = await post(email('447400500125@sms.example'));
      await settings(storeN1, { clear: ['SMS_LIMITS'] });
      const allowed = await post(email('447400500125@sms.example'));

      // Assert
      expect(await refusal(limited)).toEqual([429, 'OUTSIDE_LIMIT']);
      expect(allowed.status).toBe(202);
      expect(await messagesTo('+447400500125')).toHaveLength(1);
      const stored = await stack.sql.query(`SELECT count(*)::int AS n FROM messaging.email_to_sms_secrets WHERE secret_hash = $1 OR prefix = $1`, [secret]);
      expect(stored.rows[0].n).toBe(0);
    });

    it('stops accepting the previous secret after a rotation, and lets only holders of email-to-sms manage it', async () => {
      // Arrange
      const previous = secret;
      const advanced = await stack.login(demoUser('n1-advanced').email);

      // Act
      secret = (await gql(`mutation($a: ID!) { rotateEmailToSmsSecret(accountId: $a) { secret } }`, { a: storeN1 })).rotateEmailToSmsSecret.secret;
      const old = await post(email('447400500126@sms.example'), previous);
      const current = await post(email('447400500126@sms.example'));
      const byAdvanced = await stack.graphql(`mutation($a: ID!) { registerEmailToSmsSender(accountId: $a, email: "x@store.example") { id } }`, { a: storeN1 }, advanced);
      const whileDisabled = await stack.graphql(`mutation($a: ID!) { registerEmailToSmsSender(accountId: $a, email: "x@store.example") { id } }`, { a: storeS1 }, hqAdmin);

      // Assert
      expect(old.status).toBe(401);
      expect(current.status).toBe(202);
      expect(code(byAdvanced)).toBe('FORBIDDEN');
      expect(code(whileDisabled)).toBe('EMAIL_TO_SMS_DISABLED');
    });
  });

  describe('automation rules', () => {
    let receiver: Receiver;
    let dispatcher: WebhookDispatcher;
    let closeDispatcher: () => Promise<void>;
    const inject = (from: string, body: string, accountId = storeS1) =>
      gql(`mutation($a: ID!, $f: String!, $b: String!) { injectInboundMessage(accountId: $a, from: $f, body: $b) { conversationId optedOut } }`, { a: accountId, f: from, b: body });
    const createRule = async (input: Record<string, unknown>, accountId = storeS1) =>
      (await gql(`mutation($a: ID!, $i: AutomationRuleInput!) { createAutomationRule(accountId: $a, input: $i) { id } }`, { a: accountId, i: input })).createAutomationRule.id as string;
    const firings = async (phone: string) =>
      (await stack.sql.query(`SELECT r.name, f.outcome FROM messaging.automation_firings f JOIN messaging.automation_rules r ON r.id = f.rule_id WHERE f.phone_number = $1 ORDER BY f.fired_at, r.name`, [phone])).rows;

    beforeAll(async () => {
      receiver = await startReceiver();
      const test = await createTestDispatcher(stack);
      dispatcher = test.dispatcher;
      closeDispatcher = () => test.dataSource.destroy();
    });
    afterAll(async () => {
      await receiver?.close();
      await closeDispatcher?.();
    });

    it('auto-replies to a keyword and forwards inbound messages to an email address and to webhooks', async () => {
      // Arrange
      const endpoint = await createEndpoint(stack, hqAdmin, { accountId: storeS1, url: receiver.url('/forwarded'), eventTypes: ['automation.forwarded'] });
      await createRule({ name: 'Opening hours', keyword: 'hours', action: 'AUTO_REPLY', replyBody: 'We are open 9-17, Monday to Saturday' });
      await createRule({ name: 'To the desk', action: 'FORWARD_EMAIL', forwardEmail: 'desk@store-s1.example' });
      await createRule({ name: 'To the CRM', keyword: 'HOURS', action: 'FORWARD_WEBHOOK' });

      // Act
      await inject('+447400500201', 'Hours on Sunday?');
      await inject('+447400500202', 'Something else');
      await dispatchRound(dispatcher, stack);

      // Assert
      expect(await messagesTo('+447400500201')).toEqual([{ account_id: storeS1, user_id: null, body: 'We are open 9-17, Monday to Saturday', status: 'QUEUED' }]);
      expect(await messagesTo('+447400500202')).toEqual([]);
      expect(await firings('+447400500201')).toEqual([
        { name: 'Opening hours', outcome: 'DONE' },
        { name: 'To the CRM', outcome: 'DONE' },
        { name: 'To the desk', outcome: 'DONE' },
      ]);
      expect(await firings('+447400500202')).toEqual([{ name: 'To the desk', outcome: 'DONE' }]);
      const mails = await readMailOutbox(stack.db, 'messaging', stack.config.internalSigningSecret, 'desk@store-s1.example');
      expect(mails.map((m) => m.text).sort()).toEqual([expect.stringContaining('Hours on Sunday?'), expect.stringContaining('Something else')]);
      expect(receiver.to('/forwarded')).toHaveLength(1);
      const delivered = receiver.to('/forwarded')[0];
      expect(verifyStandardWebhook(endpoint.secret, delivered)).toBe(true);
      expect(JSON.parse(delivered.body)).toMatchObject({ type: 'automation.forwarded', data: { accountId: storeS1, from: '+447400500201', body: 'Hours on Sunday?', ruleName: 'To the CRM' } });
    });

    it('cannot loop: one auto-reply per rule and number per hour, none to another platform sender, one firing per rule and inbound message', async () => {
      // Arrange: a rule answering everything; the other side is an auto-responder too
      await createRule({ name: 'Catch-all', action: 'AUTO_REPLY', replyBody: 'Thanks, we will call you back' }, demoAccount('store-s2').id);
      const platformNumber = '+447400500299';
      const sender = await gql(`mutation($a: ID!) { requestSenderId(accountId: $a, input: { kind: DEDICATED_NUMBER, value: "${platformNumber}" }) { id } }`, { a: storeN1 });
      const operator = await stack.loginOperator();
      await stack.graphql(`mutation($id: ID!) { activateSenderId(id: $id) { status } }`, { id: sender.requestSenderId.id }, operator);

      // Act: the responder answers our reply, again and again
      for (let i = 0; i < 3; i++) await inject('+447400500210', `Auto: I am away (${i})`, demoAccount('store-s2').id);
      await inject(platformNumber, 'Thanks, we will call you back', demoAccount('store-s2').id);

      // Assert
      expect(await messagesTo('+447400500210')).toHaveLength(1);
      expect((await firings('+447400500210')).map((f: { outcome: string }) => f.outcome)).toEqual(['DONE', 'RATE_LIMITED', 'RATE_LIMITED']);
      expect(await messagesTo(platformNumber)).toEqual([]);
      expect(await firings(platformNumber)).toEqual([]);
      const perInbound = await stack.sql.query(`SELECT inbound_message_id, count(*)::int AS n FROM messaging.automation_firings GROUP BY inbound_message_id, rule_id HAVING count(*) > 1`);
      expect(perInbound.rows).toEqual([]);
      const duplicate = await stack.sql
        .query(`INSERT INTO messaging.automation_firings (rule_id, inbound_message_id, account_id, phone_number, action, outcome) SELECT rule_id, inbound_message_id, account_id, phone_number, action, 'DONE' FROM messaging.automation_firings LIMIT 1`)
        .catch((error: Error) => error);
      expect(duplicate).toBeInstanceOf(Error);
    });

    it('sends no auto-reply to an opt-out, and lets only holders of automation manage rules', async () => {
      // Arrange
      const advanced = await stack.login(demoUser('n1-advanced').email);

      // Act
      const optOut = await inject('+447400500220', 'STOP');
      const byAdvanced = await stack.graphql(`mutation($a: ID!) { createAutomationRule(accountId: $a, input: { name: "x", action: FORWARD_WEBHOOK }) { id } }`, { a: storeN1 }, advanced);
      const invalid = await stack.graphql(`mutation($a: ID!) { createAutomationRule(accountId: $a, input: { name: "x", action: AUTO_REPLY }) { id } }`, { a: storeS1 }, hqAdmin);
      const rules = await gql(`query($a: ID!) { automationRules(accountId: $a) { nodes { name keyword action firings { nodes { outcome } } } } }`, { a: storeS1 });

      // Assert
      expect(optOut.injectInboundMessage.optedOut).toBe(true);
      expect((await messagesTo('+447400500220')).map((m: { body: string }) => m.body)).toEqual(['You have been unsubscribed and will receive no more messages from us.']);
      expect((await firings('+447400500220')).map((f: { name: string }) => f.name)).toEqual(['To the desk']);
      expect(code(byAdvanced)).toBe('FORBIDDEN');
      expect(code(invalid)).toBe('BAD_USER_INPUT');
      expect(rules.automationRules.nodes.find((r: { name: string }) => r.name === 'Opening hours')).toMatchObject({ keyword: 'HOURS', action: 'AUTO_REPLY', firings: { nodes: [{ outcome: 'DONE' }] } });
    });
  });
});

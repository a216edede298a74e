import { demoAccount, demoUser } from '@platform/demo-data';
import { readMailOutbox } from '@platform/mail';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { billingClientFor, codeOf, count, expectConsistentLedger, logEntries, operatorLogin } from '../../__tests__/billing-test-kit';

jest.setTimeout(60_000);

/** SPEC O3: the credit terms of a tree (billing mode, postpaid ceiling) and manual credit adjustments are the operator's. */
describe('operator credit controls (SPEC O3, B1)', () => {
  let stack: TestStack;
  let operator: string;
  const acme = demoAccount('acme').id;
  const hq = demoAccount('hq').id;

  const balanceOf = async (accountId: string) =>
    (await stack.sql.query(`SELECT mode, units::int, held::int, credit_ceiling::int AS ceiling FROM billing.balances WHERE account_id = $1`, [accountId])).rows[0];
  const activityOf = async (token: string, accountId: string, action: string) =>
    (await stack.graphql(`query($a: ID!, $f: ActivityLogFilter) { activityLog(accountId: $a, filter: $f) { entries { action actorKind before after } } }`, { a: accountId, f: { action } }, token)).data
      .activityLog.entries;
  const setBillingMode = `mutation($a: ID!, $m: BillingMode!, $c: Int) { setBillingMode(accountId: $a, mode: $m, creditCeiling: $c) { id } }`;
  const adjustCredit = `mutation($i: CreditAdjustmentInput!) { adjustCredit(input: $i) { id kind units balanceAfter reason } }`;

  beforeAll(async () => {
    stack = await startTestStack({ env: { BILLING_SWEEP_INTERVAL_MS: '0' } });
    operator = await operatorLogin(stack);
  });
  afterAll(() => stack.close());

  it("refuses a customer admin's ceiling with FORBIDDEN and changes nothing; the operator's moves the credit and is in both logs", async () => {
    // Arrange: the accountant is the admin of Acme (postpaid, 5000-unit ceiling)
    const accountant = await stack.login(demoUser('accountant').email);
    const before = await balanceOf(acme);
    const ledgerBefore = await count(stack, 'ledger_entries');

    // Act
    const byCustomer = await stack.graphql(setBillingMode, { a: acme, m: 'POSTPAID', c: 1_000_000_000 }, accountant);
    const afterRefusal = await balanceOf(acme);
    const ledgerAfterRefusal = await count(stack, 'ledger_entries');
    const logsAfterRefusal = await logEntries(stack, 'setBillingMode');
    const byOperator = await stack.graphql(setBillingMode, { a: acme, m: 'POSTPAID', c: 8000 }, operator);
    const seenByCustomer = await stack.graphql(`query($a: ID!) { account(id: $a) { billing { mode creditCeiling balance } } }`, { a: acme }, accountant);

    // Assert
    expect(codeOf(byCustomer)).toBe('FORBIDDEN');
    expect(afterRefusal).toEqual(before);
    expect(ledgerAfterRefusal).toBe(ledgerBefore);
    expect(logsAfterRefusal).toEqual({ activity: [], operator: [] });
    expect(codeOf(byOperator)).toBe('ACCEPTED');
    expect(await balanceOf(acme)).toEqual({ ...before, ceiling: 8000, units: before.units + 8000 - before.ceiling });
    expect(seenByCustomer.data.account.billing).toEqual({ mode: 'POSTPAID', creditCeiling: 8000, balance: before.units + 8000 - before.ceiling });
    expect(await activityOf(accountant, acme, 'setBillingMode')).toEqual([
      { action: 'setBillingMode', actorKind: 'OPERATOR', before: { mode: 'POSTPAID', creditCeiling: before.ceiling }, after: { mode: 'POSTPAID', creditCeiling: 8000 } },
    ]);
    expect((await logEntries(stack, 'setBillingMode')).operator).toEqual([expect.objectContaining({ actor_kind: 'OPERATOR', target_account_id: acme })]);
    await expectConsistentLedger(stack);
  });

  it('checks the ceiling range and the account, writing nothing on a refusal', async () => {
    // Arrange
    const before = await Promise.all(['ledger_entries', 'balances', 'activity_log', 'operator_log'].map((table) => count(stack, table)));

    // Act
    const outcomes = {
      tooHigh: codeOf(await stack.graphql(setBillingMode, { a: acme, m: 'POSTPAID', c: 1_000_000_000 }, operator)),
      negative: codeOf(await stack.graphql(setBillingMode, { a: acme, m: 'POSTPAID', c: -1 }, operator)),
      postpaidWithoutCeiling: codeOf(await stack.graphql(setBillingMode, { a: acme, m: 'POSTPAID' }, operator)),
      prepaidWithCeiling: codeOf(await stack.graphql(setBillingMode, { a: hq, m: 'PREPAID', c: 10 }, operator)),
      subAccount: codeOf(await stack.graphql(setBillingMode, { a: demoAccount('north').id, m: 'PREPAID' }, operator)),
      unknownAccount: codeOf(await stack.graphql(setBillingMode, { a: '00000000-0000-4000-a000-000000000000', m: 'PREPAID' }, operator)),
    };

    // Assert
    expect(outcomes).toEqual({
      tooHigh: 'BAD_USER_INPUT',
      negative: 'BAD_USER_INPUT',
      postpaidWithoutCeiling: 'BAD_USER_INPUT',
      prepaidWithCeiling: 'BAD_USER_INPUT',
      subAccount: 'BAD_USER_INPUT',
      unknownAccount: 'NOT_FOUND',
    });
    expect(await Promise.all(['ledger_entries', 'balances', 'activity_log', 'operator_log'].map((table) => count(stack, table)))).toEqual(before);
  });

  it('adjusts credit as ADJUSTMENT ledger entries with their reason; customers are refused, bad input writes nothing', async () => {
    // Arrange: a reservation holds 10 units of HQ's balance
    const hqAdmin = await stack.login(demoUser('hq-admin').email);
    const client = billingClientFor(stack);
    await client.reserve({ accountId: hq, userId: null, units: 10, idempotencyKey: 'adjust-held', reference: 'batch-held' });
    const start = await balanceOf(hq);
    const before = await Promise.all(['ledger_entries', 'activity_log', 'operator_log'].map((table) => count(stack, table)));

    // Act
    const refusals = {
      customer: codeOf(await stack.graphql(adjustCredit, { i: { accountId: hq, units: 100, reason: 'Self-service' } }, hqAdmin)),
      noReason: codeOf(await stack.graphql(adjustCredit, { i: { accountId: hq, units: 100, reason: '   ' } }, operator)),
      longReason: codeOf(await stack.graphql(adjustCredit, { i: { accountId: hq, units: 100, reason: 'x'.repeat(501) } }, operator)),
      zero: codeOf(await stack.graphql(adjustCredit, { i: { accountId: hq, units: 0, reason: 'Nothing' } }, operator)),
      belowHeld: codeOf(await stack.graphql(adjustCredit, { i: { accountId: hq, units: -(start.units - start.held + 1), reason: 'Correction' } }, operator)),
      drawsOnAncestor: codeOf(await stack.graphql(adjustCredit, { i: { accountId: demoAccount('store-s2').id, units: 5, reason: 'Goodwill' } }, operator)),
    };
    const afterRefusals = await Promise.all(['ledger_entries', 'activity_log', 'operator_log'].map((table) => count(stack, table)));
    const credited = await stack.graphql(adjustCredit, { i: { accountId: hq, units: 250, reason: ' Goodwill: outage of 3 May ' } }, operator);
    const debited = await stack.graphql(adjustCredit, { i: { accountId: hq, units: -(start.units - start.held + 250), reason: 'Correction of a double top-up' } }, operator);
    const ledger = await stack.graphql(`query($a: ID!) { account(id: $a) { ledger(filter: { kinds: [ADJUSTMENT] }) { entries { kind units reason } } } }`, { a: hq }, hqAdmin);

    // Assert
    expect(refusals).toEqual({ customer: 'FORBIDDEN', noReason: 'BAD_USER_INPUT', longReason: 'BAD_USER_INPUT', zero: 'BAD_USER_INPUT', belowHeld: 'BAD_USER_INPUT', drawsOnAncestor: 'INVALID_STATE' });
    expect(afterRefusals).toEqual(before);
    expect(credited.data.adjustCredit).toEqual({ id: expect.any(String), kind: 'ADJUSTMENT', units: 250, balanceAfter: start.units + 250, reason: 'Goodwill: outage of 3 May' });
    expect(debited.data.adjustCredit).toMatchObject({ units: -(start.units - start.held + 250), balanceAfter: start.held });
    expect(await balanceOf(hq)).toMatchObject({ units: start.held, held: start.held });
    expect(ledger.data.account.ledger.entries).toEqual([
      { kind: 'ADJUSTMENT', units: -(start.units - start.held + 250), reason: 'Correction of a double top-up' },
      { kind: 'ADJUSTMENT', units: 250, reason: 'Goodwill: outage of 3 May' },
    ]);
    expect((await activityOf(hqAdmin, hq, 'adjustCredit')).map((e: { actorKind: string; after: unknown }) => [e.actorKind, e.after])).toEqual([
      ['OPERATOR', { balance: start.held, units: -(start.units - start.held + 250), reason: 'Correction of a double top-up' }],
      ['OPERATOR', { balance: start.units + 250, units: 250, reason: 'Goodwill: outage of 3 May' }],
    ]);
    expect((await logEntries(stack, 'adjustCredit')).operator).toHaveLength(2);
    await expectConsistentLedger(stack);
  });

  it("gives a customer onboarded after the seed what billing needs: the operator's prepaid mode and credit let its admin send", async () => {
    // Arrange: the operator onboards a customer and invites its first admin, who accepts with a new login
    const customer = (await stack.graphql(`mutation { createCustomer(input: { name: "Newco" }) { id } }`, {}, operator)).data.createCustomer.id;
    await stack.graphql(`mutation($a: ID!) { inviteCustomerAdmin(accountId: $a, email: "owner@newco.example") { id } }`, { a: customer }, operator);
    const [mail] = await readMailOutbox(stack.db, 'identity', stack.config.internalSigningSecret, 'owner@newco.example');
    const invitation = /Invitation token: (inv_\w+)/.exec(mail.text)![1];
    const admin = (await stack.graphql(`mutation($t: String!) { acceptInvitation(token: $t, name: "Nina Newco", password: "newco-owner-password") { token } }`, { t: invitation })).data.acceptInvitation.token;
    const send = () => stack.graphql(`mutation($a: ID!) { sendMessage(input: { accountId: $a, to: "+447400300001", body: "Hello from Newco" }) { batchId } }`, { a: customer }, admin);
    const billing = `query($a: ID!) { account(id: $a) { billing { mode paidBy balance } } }`;

    // Act
    const unset = (await stack.graphql(billing, { a: customer }, operator)).data.account.billing;
    const creditBeforeMode = codeOf(await stack.graphql(adjustCredit, { i: { accountId: customer, units: 100, reason: 'Welcome credit' } }, operator));
    const sendWithoutCredit = codeOf(await send());
    const prepaid = codeOf(await stack.graphql(setBillingMode, { a: customer, m: 'PREPAID' }, operator));
    const credit = codeOf(await stack.graphql(adjustCredit, { i: { accountId: customer, units: 100, reason: 'Welcome credit' } }, operator));
    const sent = await send();
    await stack.settleSendCredit();
    const after = (await stack.graphql(billing, { a: customer }, admin)).data.account.billing;

    // Assert
    expect(unset).toEqual({ mode: null, paidBy: 'NONE', balance: 0 });
    expect({ creditBeforeMode, sendWithoutCredit, prepaid, credit }).toEqual({ creditBeforeMode: 'INVALID_STATE', sendWithoutCredit: 'INSUFFICIENT_CREDIT', prepaid: 'ACCEPTED', credit: 'ACCEPTED' });
    expect(sent.errors).toBeUndefined();
    expect(sent.data.sendMessage.batchId).toEqual(expect.any(String));
    expect(after.mode).toBe('PREPAID');
    expect(after.paidBy).toBe('SELF');
    expect(after.balance).toBeLessThan(100);
    await expectConsistentLedger(stack);
  });
});

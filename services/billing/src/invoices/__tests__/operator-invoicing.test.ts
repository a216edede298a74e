import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { codeOf, count, expectConsistentLedger, logEntries, openBillingProcess, operatorLogin } from '../../__tests__/billing-test-kit';
import { sweepBilling } from '../../sweeper';
import { FakePaymentProvider, fakeProviderCallbackSecret, PAYMENT_SIGNATURE_HEADER } from '../../top-ups/payment-provider';
import { PAYMENT_CALLBACK_PATH } from '..';

jest.setTimeout(60_000);

/** YYYY-MM of the calendar month `monthsAgo` months before this one (UTC, Acme's timezone). */
function monthsAgo(months: number): string {
  const date = new Date();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() - months);
  return date.toISOString().slice(0, 7);
}

/** The callback route's JSON answer: an outcome, or errors with their codes. */
interface CallbackAnswer {
  invoiceId?: string;
  outcome?: string;
  errors?: { extensions: { code: string } }[];
}
const answerOf = async (response: Response): Promise<CallbackAnswer> => (await response.json()) as CallbackAnswer;

/** SPEC O3, B6: invoicing and payments are the operator's, the sweeper's and the payment provider's callback's; never the customer's. */
describe('operator invoicing and the payment callback (SPEC O3, B6)', () => {
  let stack: TestStack;
  let operator: string;
  let accountant: string;
  const acme = demoAccount('acme').id;
  const payroll = demoAccount('acme-payroll').id;

  const invoiceRow = async (id: string) => (await stack.sql.query(`SELECT status, paid_at FROM billing.invoices WHERE id = $1`, [id])).rows[0];
  const acmeUnits = async () => (await stack.sql.query(`SELECT units::int FROM billing.balances WHERE account_id = $1`, [acme])).rows[0].units;
  /** Usage Acme paid for in a past month, as captures then would have written it (a USAGE movement dated in that month). */
  const spentIn = (period: string, spendingAccountId: string, units: number) =>
    stack.sql.query(
      `WITH movement AS (SELECT gen_random_uuid() AS id, ($4::text || '-03')::date::timestamptz AS at),
            debited AS (UPDATE billing.balances SET units = units - $3::bigint WHERE account_id = $1::uuid RETURNING units)
       INSERT INTO billing.ledger_entries (movement_id, kind, book, paying_account_id, spending_account_id, units, balance_after, idempotency_key, created_at)
       SELECT movement.id, 'USAGE', 'BALANCE', $1::uuid, $2::uuid, -$3::bigint, debited.units, 'past:' || movement.id, movement.at FROM movement, debited
       UNION ALL SELECT movement.id, 'USAGE', 'USAGE', $1::uuid, $2::uuid, $3::bigint, NULL, 'past:' || movement.id, movement.at FROM movement`,
      [acme, spendingAccountId, units, period],
    );
  const generate = (period: string, token: string) => stack.graphql(`mutation($a: ID!, $p: String!) { generateInvoice(accountId: $a, period: $p) { id units total currency } }`, { a: acme, p: period }, token);
  const issue = (id: string, token: string) => stack.graphql(`mutation($id: ID!) { issueInvoice(id: $id) { status } }`, { id }, token);
  const markPaid = (id: string, token: string) => stack.graphql(`mutation($id: ID!) { markInvoicePaid(id: $id) { status } }`, { id }, token);
  const callback = (body: string, signature?: string) =>
    fetch(new URL(PAYMENT_CALLBACK_PATH, stack.subgraphUrls.billing), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature ? { [PAYMENT_SIGNATURE_HEADER]: signature } : {}) },
      body,
    });

  beforeAll(async () => {
    stack = await startTestStack({ env: { BILLING_SWEEP_INTERVAL_MS: '0' } });
    operator = await operatorLogin(stack);
    accountant = await stack.login(demoUser('accountant').email);
  });
  afterAll(() => stack.close());

  it("refuses the customer admin's generate, issue and mark-paid with FORBIDDEN and changes nothing; the operator's succeed and are in both logs", async () => {
    // Arrange
    const period = monthsAgo(2);
    await spentIn(period, payroll, 30);
    const invoicesBefore = await count(stack, 'invoices');

    // Act
    const generatedByCustomer = await generate(period, accountant);
    const invoicesAfterRefusal = await count(stack, 'invoices');
    const draft = (await generate(period, operator)).data.generateInvoice;
    const issuedByCustomer = await issue(draft.id, accountant);
    const statusAfterIssueRefusal = (await invoiceRow(draft.id)).status;
    const issued = await issue(draft.id, operator);
    const unitsBeforePayment = await acmeUnits();
    const paidByCustomer = await markPaid(draft.id, accountant);
    const afterPaymentRefusal = { status: (await invoiceRow(draft.id)).status, units: await acmeUnits() };
    const paid = await markPaid(draft.id, operator);
    const log = await stack.graphql(`query($a: ID!) { activityLog(accountId: $a) { entries { action actorKind targetId } } }`, { a: acme }, accountant);

    // Assert
    expect([codeOf(generatedByCustomer), codeOf(issuedByCustomer), codeOf(paidByCustomer)]).toEqual(['FORBIDDEN', 'FORBIDDEN', 'FORBIDDEN']);
    expect(invoicesAfterRefusal).toBe(invoicesBefore);
    expect(statusAfterIssueRefusal).toBe('DRAFT');
    expect(afterPaymentRefusal).toEqual({ status: 'ISSUED', units: unitsBeforePayment });
    expect(draft.units).toBe(30);
    expect(issued.data.issueInvoice.status).toBe('ISSUED');
    expect(paid.data.markInvoicePaid.status).toBe('PAID');
    expect(await acmeUnits()).toBe(unitsBeforePayment + 30);
    const invoiceEntries = log.data.activityLog.entries.filter((e: { targetId: string }) => e.targetId === draft.id);
    expect(invoiceEntries).toEqual([
      { action: 'markInvoicePaid', actorKind: 'OPERATOR', targetId: draft.id },
      { action: 'issueInvoice', actorKind: 'OPERATOR', targetId: draft.id },
      { action: 'generateInvoice', actorKind: 'OPERATOR', targetId: draft.id },
    ]);
    for (const action of ['generateInvoice', 'issueInvoice', 'markInvoicePaid']) {
      expect((await logEntries(stack, action)).operator).toEqual([expect.objectContaining({ actor_kind: 'OPERATOR', target_id: draft.id })]);
    }
    await expectConsistentLedger(stack);
  });

  it("the provider's signed callback pays an issued invoice once; a bad signature is 401 and a replay changes nothing", async () => {
    // Arrange: an issued invoice of three months ago
    const period = monthsAgo(3);
    await spentIn(period, acme, 12);
    const invoice = (await generate(period, operator)).data.generateInvoice;
    await issue(invoice.id, operator);
    const provider = new FakePaymentProvider([], fakeProviderCallbackSecret(stack.config));
    const impostor = new FakePaymentProvider([], 'not-the-provider-secret');
    const body = JSON.stringify({ id: `evt_${invoice.id}`, type: 'invoice.paid', invoiceId: invoice.id, amountMinor: invoice.total, currency: invoice.currency });
    const wrongAmount = JSON.stringify({ id: `evt_wrong_${invoice.id}`, type: 'invoice.paid', invoiceId: invoice.id, amountMinor: invoice.total - 1, currency: invoice.currency });
    const unitsBefore = await acmeUnits();
    const ledgerBefore = await count(stack, 'ledger_entries');

    // Act
    const unsigned = await callback(body);
    const forged = await callback(body, impostor.sign(body));
    const tampered = await callback(body.replace(`"amountMinor":${invoice.total}`, `"amountMinor":${invoice.total + 1}`), provider.sign(body));
    const stale = await callback(body, provider.sign(body, Date.now() - 3_600_000));
    const mismatch = await callback(wrongAmount, provider.sign(wrongAmount));
    const afterRefusals = { status: (await invoiceRow(invoice.id)).status, units: await acmeUnits(), ledger: await count(stack, 'ledger_entries'), callbacks: await count(stack, 'payment_callbacks') };
    const signature = provider.sign(body);
    const accepted = await callback(body, signature);
    const afterPayment = { units: await acmeUnits(), ledger: await count(stack, 'ledger_entries') };
    const replayed = await callback(body, signature);
    const resent = await callback(body, provider.sign(body));

    // Assert
    expect([unsigned.status, forged.status, tampered.status, stale.status]).toEqual([401, 401, 401, 401]);
    expect((await answerOf(forged)).errors?.[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(mismatch.status).toBe(400);
    expect((await answerOf(mismatch)).errors?.[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(afterRefusals).toEqual({ status: 'ISSUED', units: unitsBefore, ledger: ledgerBefore, callbacks: 0 });
    expect(accepted.status).toBe(200);
    expect(await answerOf(accepted)).toEqual({ invoiceId: invoice.id, outcome: 'RECORDED' });
    expect(await invoiceRow(invoice.id)).toMatchObject({ status: 'PAID', paid_at: expect.any(Date) });
    expect(afterPayment).toEqual({ units: unitsBefore + 12, ledger: ledgerBefore + 2 });
    expect([replayed.status, (await answerOf(replayed)).outcome, resent.status, (await answerOf(resent)).outcome]).toEqual([200, 'REPLAYED', 200, 'REPLAYED']);
    expect({ units: await acmeUnits(), ledger: await count(stack, 'ledger_entries') }).toEqual(afterPayment);
    expect((await logEntries(stack, 'markInvoicePaid')).activity.filter((e) => e.target_id === invoice.id)).toEqual([
      expect.objectContaining({ actor_kind: 'SERVICE', actor_id: 'payment-provider', after: expect.objectContaining({ status: 'PAID', restoredUnits: 12, providerEventId: `evt_${invoice.id}` }) }),
    ]);
    await expectConsistentLedger(stack);
  });

  it('the sweeper issues ended drafts and the last ended month of postpaid trees that spent, once', async () => {
    // Arrange: Acme spent last month (no invoice yet) and has a draft of four months ago
    const lastMonth = monthsAgo(1);
    await spentIn(lastMonth, payroll, 7);
    const olderDraft = (await generate(monthsAgo(4), operator)).data.generateInvoice;
    const invoices = `query($a: ID!) { account(id: $a) { invoices { nodes { id period status units } } } }`;

    const sweeper = await openBillingProcess(stack);

    // Act
    const first = await sweepBilling(sweeper.dataSource, stack.config);
    const second = await sweepBilling(sweeper.dataSource, stack.config);
    await sweeper.dataSource.destroy();
    const seen = (await stack.graphql(invoices, { a: acme }, accountant)).data.account.invoices.nodes;

    // Assert
    expect(first.issuedInvoices).toBe(2);
    expect(second.issuedInvoices).toBe(0);
    expect(seen.find((i: { period: string }) => i.period === lastMonth)).toMatchObject({ status: 'ISSUED', units: 7 });
    expect(seen.find((i: { id: string }) => i.id === olderDraft.id)).toMatchObject({ status: 'ISSUED', units: 0 });
    expect((await logEntries(stack, 'issueInvoice')).activity.filter((e) => e.actor_kind === 'SERVICE')).toEqual([
      expect.objectContaining({ actor_id: 'billing-sweeper', target_id: olderDraft.id }),
      expect.objectContaining({ actor_id: 'billing-sweeper', after: expect.objectContaining({ period: lastMonth, status: 'ISSUED' }) }),
    ]);
  });
});

import { parse } from 'csv-parse/sync';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { billingClientFor, count, expectConsistentLedger, operatorLogin } from './billing-test-kit';

jest.setTimeout(60_000);

/** The text pdfkit writes for standard fonts: hex strings inside TJ arrays, one array per line. */
function pdfText(pdf: Buffer): string {
  const lines = [...pdf.toString('latin1').matchAll(/\[([^\]]*)\]\s*TJ/g)].map((m) =>
    [...m[1].matchAll(/<([0-9a-fA-F]+)>/g)].map((h) => Buffer.from(h[1], 'hex').toString('latin1')).join(''),
  );
  return lines.join('\n');
}

describe('invoices and refusals (SPEC B6, B3)', () => {
  let stack: TestStack;
  const acme = demoAccount('acme').id;
  const payroll = demoAccount('acme-payroll').id;

  beforeAll(async () => {
    stack = await startTestStack({ env: { BILLING_SWEEP_INTERVAL_MS: '0' } });
  });
  afterAll(() => stack.close());

  it('postpaid invoice lines per sub-account add up to the ledger; CSV and PDF contain them', async () => {
    // Arrange: Acme (postpaid) and Acme Payroll spend
    const client = billingClientFor(stack);
    for (const [accountId, units, key] of [[acme, 40, 'a1'], [payroll, 25, 'p1'], [payroll, 10, 'p2']] as const) {
      const r = await client.reserve({ accountId, userId: null, units, idempotencyKey: `invoice-${key}`, reference: `batch-${key}` });
      await client.capture(r.id);
    }
    const token = await operatorLogin(stack);
    const period = new Date().toISOString().slice(0, 7);

    // Act
    const response = await stack.graphql(
      `mutation($a: ID!, $p: String!) { generateInvoice(accountId: $a, period: $p) {
         id period status units subtotal tax total lines { account { id } accountName units amount }
         csv: document(format: CSV) { filename contentType base64 } pdf: document(format: PDF) { contentType base64 } } }`,
      { a: acme, p: period },
      token,
    );

    // Assert
    expect(response.errors).toBeUndefined();
    const invoice = response.data.generateInvoice;
    const ledger = await stack.sql.query(
      `SELECT spending_account_id, sum(units)::int AS units FROM billing.ledger_entries WHERE book = 'USAGE' AND paying_account_id = $1 GROUP BY 1`,
      [acme],
    );
    const byAccount = Object.fromEntries(ledger.rows.map((r) => [r.spending_account_id, r.units]));
    expect(Object.fromEntries(invoice.lines.map((l: { account: { id: string }; units: number }) => [l.account.id, l.units]))).toEqual(byAccount);
    expect(byAccount).toEqual({ [acme]: 40, [payroll]: 35 });
    expect(invoice.units).toBe(75);
    expect(invoice.subtotal).toBe(75 * stack.config.billing.unitPriceMinor);
    expect(invoice.total).toBe(invoice.subtotal + invoice.tax);
    const csv: string[][] = parse(Buffer.from(invoice.csv.base64, 'base64').toString('utf8'));
    expect(csv[0]).toEqual(['account_id', 'account_name', 'depth', 'units', 'amount']);
    expect(csv.find((row) => row[0] === payroll)).toEqual([payroll, 'Acme Payroll', '1', '35', ((35 * stack.config.billing.unitPriceMinor) / 100).toFixed(2)]);
    const pdf = Buffer.from(invoice.pdf.base64, 'base64');
    expect(pdf.subarray(0, 4).toString()).toBe('%PDF');
    expect(pdfText(pdf)).toContain('Acme Payroll: 35 units');
    expect(pdfText(pdf)).toContain('Acme Accounting: 40 units');
  });

  it('an issued period cannot be invoiced again (unique per account and period)', async () => {
    // Arrange
    const token = await operatorLogin(stack);
    const last = new Date();
    last.setUTCDate(1);
    last.setUTCMonth(last.getUTCMonth() - 1);
    const period = last.toISOString().slice(0, 7);
    const draft = await stack.graphql(`mutation($a: ID!, $p: String!) { generateInvoice(accountId: $a, period: $p) { id } }`, { a: acme, p: period }, token);
    const issued = await stack.graphql(`mutation($id: ID!) { issueInvoice(id: $id) { status } }`, { id: draft.data.generateInvoice.id }, token);

    // Act
    const again = await stack.graphql(`mutation($a: ID!, $p: String!) { generateInvoice(accountId: $a, period: $p) { id } }`, { a: acme, p: period }, token);
    const duplicate = await stack.sql
      .query(
        `INSERT INTO billing.invoices (account_id, period_start, period_end, timezone, currency, unit_price_minor, tax_rate_basis_points, units, subtotal_minor, tax_minor, total_minor)
         VALUES ($1, $2, $2, 'UTC', 'EUR', 1, 0, 0, 0, 0, 0)`,
        [acme, `${period}-01`],
      )
      .catch((error: { code: string }) => error.code);

    // Assert
    expect(issued.data.issueInvoice.status).toBe('ISSUED');
    expect(again.errors?.[0].extensions?.code).toBe('ALREADY_EXISTS');
    expect(duplicate).toBe('23505');
  });

  it('the ledger refuses UPDATE and DELETE', async () => {
    const update = await stack.sql.query(`UPDATE billing.ledger_entries SET units = units + 1`).catch((e: { message: string }) => e.message);
    const remove = await stack.sql.query(`DELETE FROM billing.ledger_entries`).catch((e: { message: string }) => e.message);
    expect(update).toContain('append-only');
    expect(remove).toContain('append-only');
  });

  it('bad input gets a clear code and writes nothing', async () => {
    // Arrange
    const client = billingClientFor(stack);
    const hqAdmin = await stack.login(demoUser('hq-admin').email);
    const northAdmin = await stack.login(demoUser('north-admin').email);
    const accountant = await stack.login(demoUser('accountant').email);
    const hq = demoAccount('hq').id;
    const tables = ['ledger_entries', 'reservations', 'transfers', 'top_ups', 'account_limits', 'user_limits', 'balances'];
    const before = await Promise.all(tables.map((t) => count(stack, t)));
    const balanceBefore = (await stack.sql.query(`SELECT units FROM billing.balances WHERE account_id = $1`, [hq])).rows[0].units;
    const reserveCode = (units: number, accountId = demoAccount('store-n1').id) =>
      client.reserve({ accountId, userId: null, units, idempotencyKey: `bad-${units}-${accountId}`, reference: 'bad' }).then(
        () => 'ACCEPTED',
        (error: { code: string }) => error.code,
      );
    const code = async (query: string, variables: Record<string, unknown>, token: string) =>
      (await stack.graphql(query, variables, token)).errors?.[0].extensions?.code ?? 'ACCEPTED';
    const transfer = `mutation($i: TransferInput!) { transferBalance(input: $i) { id } }`;
    const topUp = `mutation($i: TopUpInput!) { topUp(input: $i) { id } }`;

    // Act
    const outcomes = {
      zero: await reserveCode(0),
      negative: await reserveCode(-5),
      huge: await reserveCode(2_000_000),
      unknownAccount: await reserveCode(5, '00000000-0000-4000-a000-000000000000'),
      notAnId: await reserveCode(5, 'store-n1'),
      toSibling: await code(transfer, { i: { fromAccountId: demoAccount('north').id, toAccountId: demoAccount('south').id, units: 5, idempotencyKey: 't1' } }, hqAdmin),
      toOtherTree: await code(transfer, { i: { fromAccountId: hq, toAccountId: demoAccount('acme').id, units: 5, idempotencyKey: 't2' } }, hqAdmin),
      negativeTransfer: await code(transfer, { i: { fromAccountId: hq, toAccountId: demoAccount('north').id, units: -5, idempotencyKey: 't3' } }, hqAdmin),
      withoutBilling: await code(topUp, { i: { accountId: demoAccount('north').id, units: 100, idempotencyKey: 'u1' } }, northAdmin),
      invisible: await code(topUp, { i: { accountId: hq, units: 100, idempotencyKey: 'u2' } }, accountant),
      noPaymentMethod: await code(topUp, { i: { accountId: hq, units: 100, idempotencyKey: 'u3' } }, hqAdmin),
      negativeLimit: await code(`mutation($a: ID!) { setCreditLimit(accountId: $a, limit: -1) { id } }`, { a: demoAccount('north').id }, hqAdmin),
      userWithoutBilling: await code(`mutation($a: ID!) { setCreditLimit(accountId: $a, limit: 10) { id } }`, { a: demoAccount('store-n1').id }, northAdmin),
      internalThroughGateway: await code(`mutation { releaseCredit(reservationId: "00000000-0000-4000-a000-000000000000") { id } }`, {}, hqAdmin),
    };

    // Assert
    expect(outcomes).toEqual({
      zero: 'BAD_USER_INPUT',
      negative: 'BAD_USER_INPUT',
      huge: 'BAD_USER_INPUT',
      unknownAccount: 'NOT_FOUND',
      notAnId: 'BAD_USER_INPUT',
      toSibling: 'INVALID_TRANSFER',
      toOtherTree: 'NOT_FOUND',
      negativeTransfer: 'BAD_USER_INPUT',
      withoutBilling: 'FORBIDDEN',
      invisible: 'NOT_FOUND',
      noPaymentMethod: 'INVALID_STATE',
      negativeLimit: 'BAD_USER_INPUT',
      userWithoutBilling: 'FORBIDDEN',
      internalThroughGateway: 'GRAPHQL_VALIDATION_FAILED',
    });
    expect(await Promise.all(tables.map((t) => count(stack, t)))).toEqual(before);
    expect((await stack.sql.query(`SELECT units FROM billing.balances WHERE account_id = $1`, [hq])).rows[0].units).toBe(balanceBefore);
    await expectConsistentLedger(stack);
  });
});

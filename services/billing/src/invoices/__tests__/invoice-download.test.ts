import { parse } from 'csv-parse/sync';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { expectNoErrors } from '@platform/testing';
import { billingClientFor, operatorLogin } from '../../__tests__/billing-test-kit';

const DOWNLOAD = `query($id: ID!) { invoice(id: $id) { csv: download(format: CSV) { url filename expiresAt } pdf: download(format: PDF) { url filename } } }`;

/**
 * Issue 14 item 10: a portal offers an invoice as a file through a short-lived signed link fetched
 * from the gateway, not as base64 inside a GraphQL answer; the link checks its reader again.
 */
describe('invoice downloads (SPEC B6)', () => {
  let stack: TestStack;
  let invoiceId: string;
  let customerAdmin: string;
  const acme = demoAccount('acme').id;
  const fromGateway = (url: string) => fetch(new URL(url, new URL(stack.gatewayUrl).origin));

  beforeAll(async () => {
    stack = await startTestStack({ env: { BILLING_SWEEP_INTERVAL_MS: '0' } });
    const reservation = await billingClientFor(stack).reserve({ accountId: acme, userId: null, units: 40, idempotencyKey: 'download-1', reference: 'batch-download-1' });
    await billingClientFor(stack).capture(reservation.id);
    const period = new Date().toISOString().slice(0, 7);
    const generated = await stack.graphql(`mutation($a: ID!, $p: String!) { generateInvoice(accountId: $a, period: $p) { id } }`, { a: acme, p: period }, await operatorLogin(stack));
    invoiceId = expectNoErrors(generated).generateInvoice.id;
    customerAdmin = await stack.login(demoUser('accountant').email);
  });
  afterAll(() => stack.close());

  it("the customer's billing admin downloads the CSV and the PDF through the gateway", async () => {
    // Arrange
    const { invoice } = expectNoErrors(await stack.graphql(DOWNLOAD, { id: invoiceId }, customerAdmin));

    // Act
    const csv = await fromGateway(invoice.csv.url);
    const pdf = await fromGateway(invoice.pdf.url);

    // Assert
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe(`attachment; filename="${invoice.csv.filename}"`);
    const rows = parse(await csv.text(), { columns: true }) as Record<string, string>[];
    expect(rows.some((row) => Object.values(row).includes(acme))).toBe(true);
    expect(new Date(invoice.csv.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(300_000);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('another tenant gets no link, and a forged or altered link downloads nothing', async () => {
    // Arrange
    const { invoice } = expectNoErrors(await stack.graphql(DOWNLOAD, { id: invoiceId }, customerAdmin));
    const stranger = await stack.login(demoUser('hq-admin').email);
    const token = new URL(invoice.csv.url, 'http://x').searchParams.get('token')!;
    const [body, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    const altered = Buffer.from(JSON.stringify({ ...claims, format: 'PDF' })).toString('base64url');

    // Act
    const byStranger = await stack.graphql(DOWNLOAD, { id: invoiceId }, stranger);
    const alteredLink = await fromGateway(`/downloads/invoice?token=${altered}.${signature}`);
    const noToken = await fromGateway('/downloads/invoice');

    // Assert
    expect(byStranger.data?.invoice ?? null).toBeNull();
    expect(alteredLink.status).toBe(401);
    expect(noToken.status).toBe(401);
  });
});

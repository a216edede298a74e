import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { demoAccount, demoUser, DEMO_PASSWORD } from '@platform/demo-data';
import { expectNoErrors } from '@platform/testing';
import { INSTALL_AND_START_MS, overflowsHorizontally, saveScreenshot, signIn, startPortalStack, type PortalStack } from './browser-stack';

jest.setTimeout(120_000);

const SEND = `mutation($a: ID!, $to: String!) { sendMessage(input: { accountId: $a, to: $to, body: "Usage journey" }) { accepted } }`;
const USAGE = `query($a: ID!, $from: Date!, $to: Date!, $groupBy: [UsageGroupBy!]) {
  account(id: $a) { usage(from: $from, to: $to, groupBy: $groupBy) { scope totals { messages parts delivered failed costUnits } rows { childAccount { id name } user { name } messages parts delivered failed costUnits } } }
}`;

interface UsageAnswer {
  scope: string;
  totals: Record<'messages' | 'parts' | 'delivered' | 'failed' | 'costUnits', number>;
  rows: { childAccount: { id: string; name: string } | null; user: { name: string } | null; messages: number; parts: number; delivered: number; failed: number; costUnits: number }[];
}

describe('portal usage, developers and billing journeys in headless Chromium (issue 18, pages 9-11)', () => {
  let env: PortalStack;

  beforeAll(async () => {
    // The webhook journey's receiver listens on 127.0.0.1.
    env = await startPortalStack({ env: { WEBHOOK_ALLOW_LOOPBACK_URLS: 'true' } });
  }, INSTALL_AND_START_MS);
  afterAll(() => env?.close());

  async function send(token: string, accountKey: string, count: number): Promise<void> {
    for (let i = 0; i < count; i += 1) expectNoErrors(await env.stack.graphql(SEND, { a: demoAccount(accountKey).id, to: `+4474003000${10 + i}` }, token));
  }

  async function usage(token: string, accountKey: string, range: { from: string; to: string }, groupBy: string[]): Promise<UsageAnswer> {
    return expectNoErrors(await env.stack.graphql<{ account: { usage: UsageAnswer } }>(USAGE, { a: demoAccount(accountKey).id, ...range, groupBy }, token)).account.usage;
  }

  /** The range the page shows, read from its form (this month in the account's timezone). */
  async function shownRange(page: import('playwright-core').Page): Promise<{ from: string; to: string }> {
    return { from: await page.getByLabel('From', { exact: true }).inputValue(), to: await page.getByLabel('To', { exact: true }).inputValue() };
  }

  it("an HQ admin reads the usage of the chain by region, drills into North Region and exports its CSV", async () => {
    // Arrange: real sends through the API in three stores of two regions
    const hq = await env.stack.login('hq.admin@retail.example');
    await send(hq, 'store-n2', 3);
    await send(hq, 'store-s2', 2);
    await send(await env.stack.login('n1.advanced@retail.example'), 'store-n1', 1);
    const page = await env.newPage();
    await signIn(page, 'hq.admin@retail.example', DEMO_PASSWORD);

    // Act
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Usage' }).click();
    await page.getByRole('heading', { level: 1, name: 'Usage of Retail Chain HQ' }).waitFor();
    const range = await shownRange(page);
    const totals = await page.locator('.totals dd').allTextContents();
    const chainRows = await page.locator('.usage-table tbody tr').evaluateAll((rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent)));
    const legend = await page.getByRole('list', { name: 'Messages per day by child account: legend' }).getByRole('link').allTextContents();
    await page.locator('.usage-table').getByRole('link', { name: 'North Region' }).click();
    await page.getByRole('heading', { level: 1, name: 'Usage of North Region' }).waitFor();
    const northRows = await page.locator('.usage-table tbody tr').evaluateAll((rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent)));
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    await saveScreenshot(page, 'hq-admin-usage-drills-into-north-and-exports');

    // Assert: the page shows the API's own figures, with names
    const chain = await usage(hq, 'hq', range, ['CHILD_ACCOUNT']);
    const north = await usage(hq, 'north', range, ['CHILD_ACCOUNT']);
    expect(chain.totals.messages).toBeGreaterThanOrEqual(6);
    // Messages, parts and cost are fixed at acceptance; delivered and failed may move on as receipts arrive.
    const [messages, parts, , , cost] = totals;
    expect([messages, parts, cost]).toEqual([chain.totals.messages, chain.totals.parts, chain.totals.costUnits].map((n) => n.toLocaleString('en-US')));
    const figures = (row: UsageAnswer['rows'][number]) => [row.messages, row.parts, row.costUnits].map(String);
    const shown = (row: (string | null)[]) => [row[0], row[1], row[2], row[5]];
    expect(chainRows.map(shown)).toEqual(chain.rows.map((row) => [row.childAccount?.name ?? 'Retail Chain HQ (own messages)', ...figures(row)]));
    expect(chainRows.map((row) => row[0])).toEqual(expect.arrayContaining(['North Region', 'South Region']));
    expect(legend).toEqual(expect.arrayContaining(['North Region', 'South Region']));
    expect(northRows.map(shown)).toEqual(north.rows.map((row) => [row.childAccount?.name ?? 'North Region (own messages)', ...figures(row)]));
    expect(northRows.map((row) => row[0])).toEqual(expect.arrayContaining(['Store N1', 'Store N2']));
    expect(new URL(page.url()).searchParams.get('from')).toBe(range.from);
    const [header, ...lines] = csv.trim().split('\n');
    expect(header).toBe('child_account_id,messages,parts,delivered,failed,cost_units');
    expect(lines.map((line) => line.split(',')).map(([child, m, p, , , c]) => [child, m, p, c].join(',')).sort()).toEqual(north.rows.map((row) => [row.childAccount?.id ?? '', ...figures(row)].join(',')).sort());
    expect(download.suggestedFilename()).toBe(`usage-${demoAccount('north').id}-${range.from}-${range.to}.csv`);
    await expect(overflowsHorizontally(page)).resolves.toBe(false);
  });

  it('a basic user sees only their own usage, grouped by user, and no export, on a phone-sized screen', async () => {
    // Arrange: the basic user and an HQ admin both send from Marketing of Store N1
    const hq = await env.stack.login('hq.admin@retail.example');
    const basic = await env.stack.login('n1.marketing@retail.example');
    await send(basic, 'store-n1-marketing', 2);
    await send(hq, 'store-n1-marketing', 1);
    const page = await env.newPage({ width: 390, height: 844 });
    await signIn(page, 'n1.marketing@retail.example', DEMO_PASSWORD);

    // Act
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Usage' }).click();
    await page.getByRole('heading', { level: 1, name: 'Usage of Marketing' }).waitFor();
    await page.getByLabel('Group by').selectOption('USER');
    await page.getByRole('button', { name: 'Show usage' }).click();
    await page.getByRole('heading', { level: 2, name: 'By user' }).waitFor();
    const range = await shownRange(page);
    const rows = await page.locator('.usage-table tbody tr th').allTextContents();
    const messages = await page.locator('[data-measure="messages"] dd').textContent();
    const ownNote = await page.getByText('Only the messages you sent yourself are counted').isVisible();
    await saveScreenshot(page, 'basic-user-sees-own-usage');

    // Assert
    const own = await usage(basic, 'store-n1-marketing', range, ['USER']);
    const everyone = await usage(hq, 'store-n1-marketing', range, ['USER']);
    expect(own.scope).toBe('OWN');
    expect(rows).toEqual([`${demoUser('n1-marketing').name} ${demoUser('n1-marketing').email}`]);
    expect(messages).toBe(String(own.totals.messages));
    expect(everyone.rows.map((row) => row.user?.name)).toContain(demoUser('hq-admin').name);
    expect(own.totals.messages).toBeLessThan(everyone.totals.messages);
    expect(ownNote).toBe(true);
    await expect(page.getByRole('button', { name: 'Export CSV' }).count()).resolves.toBe(0);
    await expect(overflowsHorizontally(page)).resolves.toBe(false);
  });

  it('an HQ admin creates an API key, sees its secret once, then revokes it, and finds the revocation in the activity log filtered by action', async () => {
    // Arrange
    const page = await env.newPage();
    await signIn(page, 'hq.admin@retail.example', DEMO_PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Developers' }).click();
    await page.getByRole('heading', { level: 1, name: 'Developers of Retail Chain HQ' }).waitFor();

    // Act
    await page.getByLabel('Key name').fill('Till integration');
    await page.getByLabel('Scope').selectOption('BASIC_USER');
    await page.getByRole('button', { name: 'Create API key' }).click();
    const secretBox = page.locator('.secret-once');
    await secretBox.waitFor();
    const key = (await secretBox.locator('code').textContent())!;
    const asKey = await env.stack.graphql(`{ me { kind apiKey { name role } } }`, {}, key);
    await page.reload();
    const row = page.getByRole('row', { name: /Till integration/ });
    await row.waitFor();
    const afterReload = { secretShown: await page.locator('.secret-once').count(), keyInPage: (await page.content()).includes(key), lastUsed: await row.locator('td').nth(4).textContent() };
    await row.getByRole('button', { name: 'Revoke Till integration' }).click();
    await row.getByRole('button', { name: 'Revoke Till integration now' }).click();
    await row.getByText(/^Revoked /).waitFor();
    await page.getByLabel('Action').fill('revokeApiKey');
    await page.getByRole('button', { name: 'Filter' }).click();
    // The unfiltered page (shown until the filtered one arrives) holds the key's creation.
    await page.locator('.activity-log tbody tr', { hasText: 'createApiKey' }).waitFor({ state: 'detached' });
    const logRow = page.locator('.activity-log tbody tr').first();
    await saveScreenshot(page, 'hq-admin-creates-and-revokes-api-key');

    // Assert
    expect(key).toMatch(/^mpk_/);
    expect(expectNoErrors(asKey).me).toEqual({ kind: 'API_KEY', apiKey: { name: 'Till integration', role: 'BASIC_USER' } });
    expect(afterReload.secretShown).toBe(0);
    expect(afterReload.keyInPage).toBe(false);
    expect(afterReload.lastUsed).not.toBe('Never');
    await expect(row.locator('td').nth(1).textContent()).resolves.toBe(key.slice(0, (await row.locator('td code').textContent())!.length));
    const refused = await env.stack.graphql(`{ me { kind } }`, {}, key);
    expect(refused.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await expect(logRow.locator('td').nth(1).textContent()).resolves.toBe(demoUser('hq-admin').name);
    await expect(logRow.locator('td').nth(3).textContent()).resolves.toBe('Retail Chain HQ');
    await expect(page.locator('.activity-log tbody tr').allTextContents()).resolves.toEqual([expect.stringContaining('revokeApiKey')]);
    await expect(overflowsHorizontally(page)).resolves.toBe(false);
  });

  it('an HQ admin adds a card with the payment stand-in, tops up, and sees the balance and the ledger grow; a declined card changes nothing', async () => {
    // Arrange
    const hq = await env.stack.login('hq.admin@retail.example');
    const BILLING = `query($a: ID!) { account(id: $a) { billing { balance } ledger(first: 1) { nodes { kind units balanceAfter } } } }`;
    const before = expectNoErrors(await env.stack.graphql(BILLING, { a: demoAccount('hq').id }, hq)).account;
    const page = await env.newPage();
    await signIn(page, 'hq.admin@retail.example', DEMO_PASSWORD);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Billing' }).click();
    await page.getByRole('heading', { level: 1, name: 'Billing of Retail Chain HQ' }).waitFor();
    const balance = page.locator('[data-figure="balance"] dd');
    const shownBefore = await balance.textContent();

    // Act
    await page.getByLabel('Card brand').selectOption('Visa');
    await page.getByLabel('Last four digits').fill('4242');
    await page.getByRole('button', { name: 'Add card' }).click();
    await page.getByRole('row', { name: /Visa ending 4242/ }).getByText('Default').waitFor();
    await page.getByLabel('Card brand').selectOption('Mastercard');
    await page.getByLabel('Last four digits').fill('0002');
    await page.getByLabel('A card the test provider declines').check();
    await page.getByRole('button', { name: 'Add card' }).click();
    await page.getByRole('row', { name: /Mastercard ending 0002/ }).waitFor();
    await page.getByLabel('Units to add').fill('700');
    await page.getByLabel('Charge').selectOption({ label: 'Mastercard ending 0002' });
    await page.getByRole('button', { name: 'Top up', exact: true }).click();
    const declined = await page.locator('#top-up-title + form [role="alert"]').textContent();
    const afterDecline = await balance.textContent();
    await page.getByLabel('Units to add').fill('2500');
    await page.getByLabel('Charge').selectOption({ label: 'The default payment method' });
    await page.getByRole('button', { name: 'Top up', exact: true }).click();
    await page.getByText('Topped up 2,500 units.').waitFor();
    const newestRow = page.locator('.ledger tbody tr').first();
    await newestRow.getByText('Top-up').waitFor();
    const newest = await newestRow.locator('td').allTextContents();
    await saveScreenshot(page, 'hq-admin-tops-up');

    // Assert
    const after = expectNoErrors(await env.stack.graphql(BILLING, { a: demoAccount('hq').id }, hq)).account;
    expect(after.billing.balance).toBe(before.billing.balance + 2500);
    expect(shownBefore).toBe(`${before.billing.balance.toLocaleString('en-US')} units`);
    expect(declined).toContain('PAYMENT_DECLINED');
    expect(afterDecline).toBe(shownBefore);
    await expect(balance.textContent()).resolves.toBe(`${after.billing.balance.toLocaleString('en-US')} units`);
    expect(after.ledger.nodes[0]).toEqual({ kind: 'TOP_UP', units: 2500, balanceAfter: after.billing.balance });
    expect(newest.slice(1)).toEqual(['Top-up', demoUser('hq-admin').name, '+2,500', after.billing.balance.toLocaleString('en-US')]);
    await expect(overflowsHorizontally(page)).resolves.toBe(false);
  });

  it('an HQ admin adds a webhook endpoint, sees its secret once, reads a delivery and its attempt, and replays it', async () => {
    // Arrange: a receiver that answers 200 and keeps what it got
    const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
    let arrived: () => void = () => {};
    const server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(200).end();
        arrived();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const nextRequest = () => new Promise<void>((resolve) => (arrived = resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
    const hq = await env.stack.login('hq.admin@retail.example');
    const page = await env.newPage();
    await signIn(page, 'hq.admin@retail.example', DEMO_PASSWORD);
    await page.goto(`/accounts/${demoAccount('hq').id}/developers`);

    try {
      // Act
      await page.getByText('Add an endpoint').click();
      await page.getByLabel('Endpoint URL (https)').fill(url);
      await page.getByRole('checkbox', { name: /^account\.created/ }).check();
      await page.getByLabel('Also the events of every sub-account').check();
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      const secret = (await page.locator('.secret-once code').textContent())!;
      const first = nextRequest();
      expectNoErrors(await env.stack.graphql(`mutation($p: ID!) { createSubAccount(input: { parentId: $p, name: "Webhook Region" }) { id } }`, { p: demoAccount('hq').id }, hq));
      await first;
      const endpoint = page.getByRole('article', { name: `Endpoint ${url}` });
      await endpoint.getByRole('button', { name: `Deliveries of ${url}` }).click();
      // The delivery is marked SUCCEEDED once the receiver's answer is back: reopen until it is.
      while (!(await endpoint.locator('.deliveries td', { hasText: 'SUCCEEDED' }).count())) {
        await endpoint.getByRole('button', { name: `Deliveries of ${url}` }).click();
        await endpoint.getByRole('button', { name: `Deliveries of ${url}` }).click();
        await endpoint.locator('.deliveries').waitFor();
      }
      await endpoint.getByText('1 attempt(s), last HTTP 200').click();
      const attempt = await endpoint.locator('.deliveries ol li').first().textContent();
      const replayed = nextRequest();
      await endpoint.getByRole('button', { name: 'Replay account.created' }).click();
      await replayed;
      await page.reload();
      await endpoint.getByRole('button', { name: `Deliveries of ${url}` }).click();
      await endpoint.locator('.deliveries').waitFor();
      const secretAfterReload = await page.locator('.secret-once').count();
      const deliveries = await endpoint.locator('.deliveries tbody tr').allTextContents();
      await saveScreenshot(page, 'hq-admin-webhook-delivery-and-replay');

      // Assert: the secret shown signs the delivery (Standard Webhooks); a replay keeps the webhook-id
      const [delivery, replay] = received;
      const signed = `${delivery.headers['webhook-id']}.${delivery.headers['webhook-timestamp']}.${delivery.body}`;
      const expected = crypto.createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64')).update(signed).digest('base64');
      expect(String(delivery.headers['webhook-signature']).split(' ')).toContain(`v1,${expected}`);
      expect(JSON.parse(delivery.body).type).toBe('account.created');
      expect(replay.headers['webhook-id']).toBe(delivery.headers['webhook-id']);
      expect(attempt).toMatch(/succeeded, HTTP 200/);
      expect(secretAfterReload).toBe(0);
      expect(deliveries).toHaveLength(1);
      expect(deliveries[0]).toContain('account.created');
      await expect(overflowsHorizontally(page)).resolves.toBe(false);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it("a postpaid tree's admin downloads this month's invoice as CSV and PDF from the billing page", async () => {
    // Arrange: sends from Acme and its payroll department, then the operator drafts the invoice of the month (in Acme's timezone)
    const acme = demoAccount('acme').id;
    const accountant = await env.stack.login('accountant@acme.example');
    const { timezone } = expectNoErrors(await env.stack.graphql(`query($a: ID!) { account(id: $a) { settings { timezone } } }`, { a: acme }, accountant)).account.settings;
    await send(accountant, 'acme', 2);
    await send(accountant, 'acme-payroll', 1);
    // Their debits land at the delivery worker's settlement (this stack's worker may take them first).
    const debits = async () => expectNoErrors(await env.stack.graphql(`query($a: ID!) { account(id: $a) { ledger(filter: { kinds: [USAGE] }) { totalCount } } }`, { a: acme }, accountant)).account.ledger.totalCount;
    while ((await debits()) < 3) await env.stack.settleSendCredit();
    const period = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit' }).format(new Date()).slice(0, 7);
    const invoice = expectNoErrors(
      await env.stack.graphql(`mutation($a: ID!, $p: String!) { generateInvoice(accountId: $a, period: $p) { id total currency lines { accountName units } } }`, { a: acme, p: period }, await env.stack.loginOperator()),
    ).generateInvoice;
    const page = await env.newPage();
    await signIn(page, 'accountant@acme.example', DEMO_PASSWORD);

    // Act
    await page.goto(`/accounts/${acme}/billing`);
    const row = page.getByRole('row', { name: new RegExp(period) });
    await row.waitFor();
    const cells = await row.locator('td').allTextContents();
    const [csvDownload] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: `CSV of ${period}` }).click()]);
    const [pdfDownload] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: `PDF of ${period}` }).click()]);
    const csv = fs.readFileSync((await csvDownload.path())!, 'utf8');
    const pdf = fs.readFileSync((await pdfDownload.path())!);
    await saveScreenshot(page, 'postpaid-admin-downloads-invoice');

    // Assert
    expect(cells.slice(0, 2)).toEqual([period, 'Draft']);
    expect(cells[2]).toBe(new Intl.NumberFormat('en-US', { style: 'currency', currency: invoice.currency }).format(invoice.total / 100));
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('account_id,account_name,depth,units,amount');
    expect(lines.slice(1, 1 + invoice.lines.length).map((line) => line.split(',').slice(1, 4).filter((_, i) => i !== 1))).toEqual(invoice.lines.map((line: { accountName: string; units: number }) => [line.accountName, String(line.units)]));
    expect(lines[lines.length - 1]).toBe(`,Total ${invoice.currency},,,${(invoice.total / 100).toFixed(2)}`);
    expect(invoice.lines.map((line: { accountName: string }) => line.accountName).sort()).toEqual(['Acme Accounting', 'Acme Payroll']);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdfDownload.suggestedFilename()).toMatch(new RegExp(`^invoice-${period}-.+\\.pdf$`));
    await expect(overflowsHorizontally(page)).resolves.toBe(false);
  });
});

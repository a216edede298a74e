import { demoAccount, demoUser, DEMO_PASSWORD } from '@platform/demo-data';
import { expectNoErrors } from '@platform/testing';
import { INSTALL_AND_START_MS, overflowsHorizontally, saveScreenshot, signIn, startPortalStack, type PortalStack } from './browser-stack';

// A stack, a build check and a browser per suite: the first run of a fresh checkout also builds the portal.
jest.setTimeout(120_000);

/** Journeys of the messaging pages (issue 18, pages 5–8): send, inbox, contacts and groups, numbers and channels. */
describe('messaging portal journeys in headless Chromium against the real stack (issue 18)', () => {
  let env: PortalStack;
  let hqAdmin: string;

  beforeAll(async () => {
    env = await startPortalStack({ env: { MESSAGING_WORKER_INTERVAL_MS: '0' } });
    hqAdmin = await env.stack.login(demoUser('hq-admin').email);
    // Sends go out at once whatever the hour of the run (the demo chain has a sending window).
    expectNoErrors(await env.stack.graphql(`mutation($id: ID!) { updateAccountSettings(id: $id, input: { clear: [SENDING_WINDOW] }) { id } }`, { id: demoAccount('hq').id }, hqAdmin));
  }, INSTALL_AND_START_MS);
  afterAll(() => env?.close());

  const inject = async (accountId: string, from: string, body: string) =>
    expectNoErrors(await env.stack.graphql(`mutation($a: ID!, $from: String!, $body: String!) { injectInboundMessage(accountId: $a, from: $from, body: $body) { conversationId } }`, { a: accountId, from, body }, hqAdmin));

  it('a basic user sends a message, sees only their own conversation in the inbox, and a reply arrives without reload', async () => {
    // Arrange: a colleague's conversation in the same account
    const marketing = demoAccount('store-n1-marketing').id;
    const own = '+447400600001';
    const colleagues = '+447400600002';
    expectNoErrors(await env.stack.graphql(`mutation($input: SendMessageInput!) { sendMessage(input: $input) { batchId } }`, { input: { accountId: marketing, to: colleagues, body: 'From HQ' } }, hqAdmin));
    await inject(marketing, colleagues, 'Answer to HQ');
    const page = await env.newPage();

    // Act: send from the Send page, with its live count
    await signIn(page, demoUser('n1-marketing').email, DEMO_PASSWORD);
    await page.getByRole('link', { name: 'Send', exact: true }).click();
    await page.getByLabel('Phone numbers (one per line, or separated by commas)').fill(own);
    await page.getByLabel('Message', { exact: true }).fill('Hello from the portal');
    await page.locator('#send-count', { hasText: '1 SMS part' }).waitFor();
    const liveCount = await page.locator('#send-count').textContent();
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByRole('heading', { name: '1 message accepted' }).waitFor();
    // …then the inbox, where the recipient's answer arrives while the page is open
    await page.getByRole('link', { name: 'Inbox' }).click();
    await page.getByText('No conversations yet.').waitFor();
    await page.evaluate('window.__notReloaded = true');
    await inject(marketing, own, 'Thanks, see you soon');
    await page.getByRole('button', { name: new RegExp(own.replace('+', '\\+')) }).click();
    await page.getByRole('list', { name: 'Messages' }).getByText('Thanks, see you soon').waitFor();
    await inject(marketing, own, 'One more question');
    await page.getByRole('list', { name: 'Messages' }).getByText('One more question').waitFor();
    await saveScreenshot(page, 'basic-user-sends-and-reads-own-inbox');

    // Assert
    expect(liveCount).toBe('21 GSM-7 characters · 1 SMS part · 1 credit unit per recipient · up to 1 unit for 1 recipient');
    await expect(page.evaluate('window.__notReloaded')).resolves.toBe(true);
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain(own);
    expect(text).not.toContain(colleagues);
    expect(text).not.toContain('Answer to HQ');
    const thread = await page.getByRole('list', { name: 'Messages' }).locator('li .body').allTextContents();
    expect(thread).toEqual(['Hello from the portal', 'Thanks, see you soon', 'One more question']);
    await expect(page.getByRole('list', { name: 'Conversations' }).locator('li').count()).resolves.toBe(1);
    const { rows } = await env.stack.sql.query(`SELECT user_id FROM messaging.messages WHERE recipient = $1`, [own]);
    expect(rows).toEqual([{ user_id: demoUser('n1-marketing').id }]);
    await expect(overflowsHorizontally(page)).resolves.toBe(false);
  });
});

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

  it('a basic user sends a message, sees only their own conversation in the inbox, a reply arrives without reload, and answers it', async () => {
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
    await page.getByLabel('Reply', { exact: true }).fill('Ask away');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.getByRole('list', { name: 'Messages' }).getByText('Ask away').waitFor();
    await saveScreenshot(page, 'basic-user-sends-and-reads-own-inbox');

    // Assert
    expect(liveCount).toBe('21 GSM-7 characters · 1 SMS part · 1 credit unit per recipient · up to 1 unit for 1 recipient');
    await expect(page.evaluate('window.__notReloaded')).resolves.toBe(true);
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain(own);
    expect(text).not.toContain(colleagues);
    expect(text).not.toContain('Answer to HQ');
    const thread = await page.getByRole('list', { name: 'Messages' }).locator('li .body').allTextContents();
    expect(thread).toEqual(['Hello from the portal', 'Thanks, see you soon', 'One more question', 'Ask away']);
    await expect(page.getByRole('list', { name: 'Conversations' }).locator('li').count()).resolves.toBe(1);
    const { rows } = await env.stack.sql.query(`SELECT body, user_id FROM messaging.messages WHERE recipient = $1 ORDER BY created_at`, [own]);
    expect(rows).toEqual([
      { body: 'Hello from the portal', user_id: demoUser('n1-marketing').id },
      { body: 'Ask away', user_id: demoUser('n1-marketing').id },
    ]);
    await expect(overflowsHorizontally(page)).resolves.toBe(false);
  });

  it('a restricted user never sees a full number of the seeded contacts on any page they can open, only masked forms', async () => {
    // Arrange: a group of Store N1 the advanced user may send to but not see, a send to it and an answer
    const storeN1 = demoAccount('store-n1').id;
    const numbers = ['+447400700011', '+447400700012', '+447400700013'];
    const masked = numbers.map((number) => `+44${'*'.repeat(number.length - 5)}${number.slice(-2)}`);
    const group = expectNoErrors(await env.stack.graphql(`mutation($a: ID!) { createContactGroup(accountId: $a, name: "VIP customers") { id } }`, { a: storeN1 }, hqAdmin)).createContactGroup;
    for (const [i, phoneNumber] of numbers.entries()) {
      expectNoErrors(await env.stack.graphql(`mutation($a: ID!, $input: ContactInput!) { createContact(accountId: $a, input: $input) { id } }`, { a: storeN1, input: { phoneNumber, firstName: `Vip ${i + 1}`, groupIds: [group.id] } }, hqAdmin));
    }
    const { rows } = await env.stack.sql.query(`SELECT id FROM identity.memberships WHERE user_id = $1 AND account_id = $2`, [demoUser('n1-advanced').id, storeN1]);
    expectNoErrors(
      await env.stack.graphql(
        `mutation($id: ID!, $g: ID!) { setMembershipLimits(membershipId: $id, limits: { allSenderIds: true, contactAccess: SELECTED, contactGroups: [{ groupId: $g, access: RESTRICTED }] }) { id } }`,
        { id: rows[0].id, g: group.id },
        hqAdmin,
      ),
    );
    const advanced = await env.stack.login(demoUser('n1-advanced').email);
    expectNoErrors(await env.stack.graphql(`mutation($input: SendBulkInput!) { sendBulk(input: $input) { batchId } }`, { input: { accountId: storeN1, groupIds: [group.id], body: 'VIP preview tonight' } }, advanced));
    await inject(storeN1, numbers[0], 'Count me in');
    const page = await env.newPage({ width: 390, height: 844 });
    const texts: Record<string, string> = {};
    const overflowing: string[] = [];
    const capture = async (name: string) => {
      texts[name] = (await page.locator('main').textContent()) ?? '';
      if (await overflowsHorizontally(page)) overflowing.push(name);
    };
    const visit = async (name: string, link: string, ready: () => Promise<unknown>) => {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link, exact: true }).click();
      await ready();
      await capture(name);
    };

    // Act
    await signIn(page, demoUser('n1-advanced').email, DEMO_PASSWORD);
    await visit('contacts', 'Contacts', () => page.getByRole('cell', { name: 'Vip 3' }).waitFor());
    await page.getByLabel('Group', { exact: true }).selectOption({ label: 'VIP customers' });
    await page.getByRole('heading', { name: 'Contacts (3)' }).waitFor();
    await capture('group');
    await visit('send', 'Send', () => page.getByLabel('Find contacts (name or email)').waitFor());
    await page.getByLabel('Find contacts (name or email)').fill('Vip');
    await page.getByRole('list', { name: 'Contacts found' }).getByRole('button').nth(2).waitFor();
    await page.getByRole('button', { name: /^Add Vip 2/ }).click();
    await page.getByLabel('VIP customers (3 contacts)').check();
    await page.getByLabel('Message', { exact: true }).fill('Doors open at 8');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.getByRole('heading', { name: /accepted$/ }).waitFor();
    await capture('send');
    await visit('inbox', 'Inbox', () => page.getByRole('list', { name: 'Conversations' }).waitFor());
    await page.getByRole('list', { name: 'Conversations' }).getByRole('button').first().click();
    await page.getByRole('list', { name: 'Messages' }).getByText('Count me in').waitFor();
    await capture('conversation');
    await visit('numbers', 'Numbers and channels', () => page.getByRole('heading', { level: 1 }).waitFor());
    await saveScreenshot(page, 'restricted-user-sees-masked-numbers');

    // Assert
    expect(Object.keys(texts)).toEqual(['contacts', 'group', 'send', 'inbox', 'conversation', 'numbers']);
    for (const [name, text] of Object.entries(texts)) {
      for (const number of numbers) {
        expect({ name, leaks: text.includes(number) || text.includes(number.slice(3)) }).toEqual({ name, leaks: false });
      }
    }
    for (const name of ['contacts', 'group']) for (const form of masked) expect(texts[name]).toContain(form);
    expect(texts.send).toContain(masked[1]);
    expect(texts.inbox).toContain(masked[0]);
    expect(texts.conversation).toContain(`Conversation with ${masked[0]}`);
    expect(texts.conversation).toContain('VIP preview tonight');
    // 390 px wide: no page of the journey is wider than the phone
    expect(overflowing).toEqual([]);
  });

  it('an admin creates groups, shares one down the tree, imports a CSV of contacts with bad lines into it and reads the per-line rejection report', async () => {
    // Arrange
    const csv = ['phone,first_name,last_name,email', '+447400500001,Ann,Able,ann@example.com', 'not-a-number,Bob,Bad,', '+447400500002,Cat,Cole,cat@example.com', ',No,Phone,', '+447400500003,Dan,Dot,not-an-email'].join('\n');
    const page = await env.newPage();

    // Act
    await signIn(page, demoUser('north-admin').email, DEMO_PASSWORD);
    await page.getByRole('link', { name: 'Contacts', exact: true }).click();
    const groupsTable = page.getByRole('region', { name: /^Groups/ }).getByRole('table');
    for (const name of ['Staff', 'Newsletter']) {
      await page.getByLabel('New group name').fill(name);
      await page.getByRole('button', { name: 'Create group' }).click();
      await groupsTable.getByRole('cell', { name, exact: true }).waitFor();
    }
    await page.getByLabel('Share Newsletter with sub-accounts').selectOption('READ_SEND');
    await page.getByLabel('Into group').selectOption({ label: 'Newsletter' });
    await page.getByLabel('CSV file', { exact: true }).setInputFiles({ name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Import' }).click();
    const report = page.getByRole('table', { name: 'Rejected lines' });
    await report.waitFor();
    const summary = await page.locator('.import-progress .success').textContent();
    const rejected = await report.locator('tbody tr').evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent)));
    await page.getByRole('cell', { name: 'Cat Cole' }).waitFor();
    await page.getByLabel('Search groups').fill('NEWS');
    await groupsTable.getByRole('cell', { name: 'Staff', exact: true }).waitFor({ state: 'detached' });
    const groupRows = await groupsTable.locator('tbody tr').evaluateAll((rows) => rows.map((row) => [...row.querySelectorAll('td')].slice(0, 2).map((cell) => cell.textContent)));
    const sharing = await page.getByLabel('Share Newsletter with sub-accounts').inputValue();
    await saveScreenshot(page, 'admin-imports-contacts-with-rejections');

    // Assert
    const { rows: jobs } = await env.stack.sql.query(`SELECT id FROM messaging.contact_imports WHERE account_id = $1`, [demoAccount('north').id]);
    expect(jobs).toHaveLength(1);
    const northAdmin = await env.stack.login(demoUser('north-admin').email);
    const job = expectNoErrors(await env.stack.graphql(`query($id: ID!) { importJob(id: $id) { processed imported merged rejected rejections { line code reason } } }`, { id: jobs[0].id }, northAdmin)).importJob;
    expect(summary).toBe(`Import finished: ${job.processed} lines read, ${job.imported} imported, ${job.merged} merged, ${job.rejected} rejected.`);
    expect(rejected).toEqual(job.rejections.map((r: { line: number; code: string; reason: string }) => [String(r.line), r.reason, r.code]));
    expect(rejected.map(([line]) => line)).toEqual(['3', '5', '6']);
    const { rows: contacts } = await env.stack.sql.query(`SELECT first_name FROM messaging.contacts WHERE account_id = $1 ORDER BY first_name`, [demoAccount('north').id]);
    expect(contacts.map((c) => c.first_name)).toEqual(['Ann', 'Cat']);
    expect(groupRows).toEqual([['Newsletter', '2']]);
    expect(sharing).toBe('READ_SEND');
    const { rows: groups } = await env.stack.sql.query(`SELECT name, shared_access FROM messaging.contact_groups WHERE account_id = $1 ORDER BY name`, [demoAccount('north').id]);
    expect(groups).toEqual([
      { name: 'Newsletter', shared_access: 'READ_SEND' },
      { name: 'Staff', shared_access: null },
    ]);
  });

  it('an admin requests a dedicated number and verifies a personal number with the code it received, a wrong code refused beside its field', async () => {
    // Arrange
    const dedicated = '+447400300001';
    const personal = '+447400300002';
    const page = await env.newPage();
    await signIn(page, demoUser('north-admin').email, DEMO_PASSWORD);
    await page.getByRole('link', { name: 'Numbers and channels' }).click();

    // Act
    await page.getByLabel('Dedicated number', { exact: true }).fill(dedicated);
    await page.getByRole('button', { name: 'Request dedicated number' }).click();
    await page.getByText(`${dedicated} was requested; it is active once the platform approves it.`).waitFor();
    await page.getByLabel('Kind').selectOption('PERSONAL_NUMBER');
    await page.getByLabel('Personal mobile number', { exact: true }).fill(personal);
    await page.getByRole('button', { name: 'Request personal mobile number' }).click();
    const codeField = page.getByLabel(`Verification code for ${personal}`);
    await codeField.waitFor();
    const { rows } = await env.stack.sql.query(`SELECT body FROM messaging.loopback_carrier_calls WHERE recipient = $1`, [personal]);
    const code = /\d{6}/.exec(rows[0].body)![0];
    await codeField.fill(String((Number(code) + 1) % 1_000_000).padStart(6, '0'));
    await page.getByRole('button', { name: 'Verify' }).click();
    const errorId = `${await codeField.getAttribute('id')}-error`;
    const fieldError = page.locator(`#${errorId}`);
    await fieldError.waitFor();
    const refusal = await fieldError.textContent();
    const describedBy = await codeField.getAttribute('aria-describedby');
    await codeField.fill(code);
    await page.getByRole('button', { name: 'Verify' }).click();
    const personalRow = page.getByRole('region', { name: /^Personal numbers/ }).getByRole('row', { name: new RegExp(personal.replace('+', '\\+')) });
    await personalRow.getByRole('cell', { name: 'Active', exact: true }).waitFor();
    await saveScreenshot(page, 'admin-requests-and-verifies-sender-ids');

    // Assert
    expect(refusal).toBe('The code is wrong or expired');
    expect(describedBy).toBe(errorId);
    const dedicatedRow = page.getByRole('region', { name: /^Dedicated numbers/ }).getByRole('row', { name: new RegExp(dedicated.replace('+', '\\+')) });
    await expect(dedicatedRow.locator('td').nth(1).textContent()).resolves.toBe('Requested');
    const { rows: stored } = await env.stack.sql.query(`SELECT kind, value, status FROM messaging.sender_ids WHERE account_id = $1 ORDER BY value`, [demoAccount('north').id]);
    expect(stored).toEqual([
      { kind: 'DEDICATED_NUMBER', value: dedicated, status: 'REQUESTED' },
      { kind: 'PERSONAL_NUMBER', value: personal, status: 'ACTIVE' },
    ]);
  });

  it('an admin schedules a send for tomorrow 10:30 in the account timezone and reads the answer: the scheduled time, and a bad number skipped with its reason', async () => {
    // Arrange: North Region keeps its time in New York
    const north = demoAccount('north').id;
    expectNoErrors(await env.stack.graphql(`mutation($id: ID!) { updateAccountSettings(id: $id, input: { timezone: "America/New_York" }) { id } }`, { id: north }, hqAdmin));
    const dayIn = (timeZone: string, at: Date) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
    const tomorrow = dayIn('America/New_York', new Date(Date.now() + 86_400_000));
    const page = await env.newPage();

    // Act
    await signIn(page, demoUser('north-admin').email, DEMO_PASSWORD);
    await page.getByRole('link', { name: 'Send', exact: true }).click();
    await page.getByLabel('Phone numbers (one per line, or separated by commas)').fill('+447400400001, 12345');
    await page.getByLabel('Message', { exact: true }).fill('Grüße aus dem Laden 🌷');
    await page.locator('#send-count', { hasText: 'UCS-2' }).waitFor();
    const liveCount = await page.locator('#send-count').textContent();
    await page.getByLabel('Schedule for later').check();
    await page.getByLabel('Send at (America/New_York)').fill(`${tomorrow}T10:30`);
    await page.getByRole('button', { name: 'Schedule' }).click();
    await page.getByRole('heading', { name: /accepted$/ }).waitFor();
    const answerText = await page.locator('.send-answer').textContent();
    await saveScreenshot(page, 'admin-schedules-a-send');

    // Assert
    expect(liveCount).toMatch(/^22 UCS-2 characters \(Unicode\) · 1 SMS part · 1 credit unit per recipient · up to 2 units for 2 recipients$/);
    const { rows } = await env.stack.sql.query(`SELECT recipient, status, send_at FROM messaging.messages WHERE account_id = $1`, [north]);
    expect(rows.map((row) => [row.recipient, row.status])).toEqual([['+447400400001', 'SCHEDULED']]);
    const sendAt = new Date(rows[0].send_at);
    expect(dayIn('America/New_York', sendAt)).toBe(tomorrow);
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit' }).format(sendAt)).toBe('10:30');
    expect(answerText).toContain('1 message accepted');
    expect(answerText).toMatch(/Scheduled for .*10:30.*(EST|EDT|GMT-[45])/);
    expect(answerText).toContain('12345: invalid phone number');
  });
});

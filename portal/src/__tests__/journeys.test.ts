import { readMailOutbox } from '@platform/mail';
import { demoAccount, demoUser, DEMO_PASSWORD } from '@platform/demo-data';
import { expectNoErrors } from '@platform/testing';
import { startIdentityProvider } from './identity-provider';
import { INSTALL_AND_START_MS, overflowsHorizontally, saveScreenshot, signIn, startPortalStack, type PortalStack } from './browser-stack';

// A stack, a build check and a browser per suite: the first run of a fresh checkout also builds the portal.
jest.setTimeout(120_000);

describe('portal journeys in headless Chromium against the real stack (issue 18)', () => {
  let env: PortalStack;

  beforeAll(async () => {
    // A local OpenID provider is plain http (the SSO journey).
    env = await startPortalStack({ env: { SSO_ALLOW_HTTP_ISSUERS: 'true' } });
  }, INSTALL_AND_START_MS);
  afterAll(() => env?.close());

  async function invitationLink(email: string): Promise<string> {
    const [mail] = await readMailOutbox(env.stack.db, 'identity', env.stack.config.internalSigningSecret, email);
    return /Accept: (\/invitations\/accept\?token=\S+)/.exec(mail.text)![1];
  }

  it('an HQ admin signs in, creates a store under North Region and invites its admin', async () => {
    // Arrange
    const page = await env.newPage();

    // Act
    await signIn(page, 'hq.admin@retail.example', DEMO_PASSWORD);
    await page.getByRole('link', { name: 'North Region' }).click();
    await page.getByLabel('New sub-account name').fill('Store N3');
    await page.getByRole('button', { name: 'Create sub-account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Store N3' }).waitFor();
    const breadcrumb = await page.getByRole('navigation', { name: 'Breadcrumb' }).textContent();
    const level = await page.getByText('Sub-account, level 2').isVisible();
    await page.getByRole('link', { name: 'Users and invitations of Store N3' }).click();
    await page.getByRole('textbox', { name: 'Email' }).fill('store-n3.admin@retail.example');
    await page.getByLabel('Role').selectOption('ADMIN');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await page.getByText('Invitation sent to store-n3.admin@retail.example.').waitFor();
    const invitationRow = page.getByRole('row', { name: /store-n3\.admin@retail\.example/ });
    await invitationRow.waitFor();
    await saveScreenshot(page, 'hq-admin-creates-store-and-invites');

    // Assert
    expect(breadcrumb).toBe('AccountsRetail Chain HQNorth RegionStore N3');
    expect(level).toBe(true);
    await expect(invitationRow.locator('td').nth(2).textContent()).resolves.toBe('Sent');
    await expect(invitationRow.getByRole('button', { name: 'Revoke the invitation of store-n3.admin@retail.example' }).isEnabled()).resolves.toBe(true);
    const link = await invitationLink('store-n3.admin@retail.example');
    expect(link).toMatch(/^\/invitations\/accept\?token=inv_/);
    const { rows } = await env.stack.sql.query(`SELECT parent_id FROM hierarchy.accounts WHERE name = 'Store N3'`);
    expect(rows).toEqual([{ parent_id: demoAccount('north').id }]);
    await expect(overflowsHorizontally(page)).resolves.toBe(false);
  });

  it('an invited store admin accepts, overrides the timezone, and sees the other settings inherited', async () => {
    // Arrange: a store and its admin's invitation, through the API
    const hq = await env.stack.login('hq.admin@retail.example');
    const store = expectNoErrors(await env.stack.graphql(`mutation($p: ID!) { createSubAccount(input: { parentId: $p, name: "Store S3" }) { id } }`, { p: demoAccount('south').id }, hq)).createSubAccount;
    expectNoErrors(await env.stack.graphql(`mutation($a: ID!) { inviteUser(accountId: $a, email: "store-s3.admin@retail.example", role: ADMIN) { id } }`, { a: store.id }, hq));
    const page = await env.newPage();

    // Act
    await page.goto(await invitationLink('store-s3.admin@retail.example'));
    await page.getByLabel('Your name (new login only)').fill('Sam Three');
    await page.getByLabel('Password').fill('store-s3-password');
    await page.getByRole('button', { name: 'Accept invitation' }).click();
    await page.getByRole('link', { name: 'Settings' }).click();
    const timezone = page.locator('[data-setting="TIMEZONE"]');
    await timezone.getByText('Inherited from a parent account').waitFor();
    await page.getByRole('button', { name: 'Override Timezone' }).click();
    await page.getByLabel('Timezone', { exact: true }).selectOption('America/New_York');
    await page.getByRole('button', { name: 'Save timezone' }).click();
    await timezone.getByText('Set on this account').waitFor();
    await saveScreenshot(page, 'store-admin-overrides-timezone');

    // Assert
    await expect(timezone.locator('.setting-value').textContent()).resolves.toBe('America/New_York');
    await expect(page.locator('[data-setting="SENDING_WINDOW"] .origin').textContent()).resolves.toBe('Inherited from a parent account');
    await expect(page.getByRole('button', { name: 'Use inherited Timezone' }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Store S3');
    const { rows } = await env.stack.sql.query(`SELECT overrides->>'timezone' AS timezone FROM hierarchy.account_settings WHERE account_id = $1`, [store.id]);
    expect(rows).toEqual([{ timezone: 'America/New_York' }]);
    // The creation time reads in the account's new timezone.
    await expect(page.locator('.facts dt:text-is("Created") + dd').textContent()).resolves.toMatch(/EST|EDT|GMT-[45]/);
  });

  it('a guest picks an account from the access list, then switches back from the top bar', async () => {
    // Arrange
    const page = await env.newPage({ width: 390, height: 844 });

    // Act
    await signIn(page, 'accountant@acme.example', DEMO_PASSWORD);
    const accessList = page.getByRole('table');
    await accessList.waitFor();
    const rows = await accessList.locator('tbody tr').allTextContents();
    await page.getByRole('button', { name: 'Act in Store S1' }).click();
    await page.getByRole('list', { name: 'Account tree' }).getByRole('link', { name: 'Store S1' }).waitFor();
    const afterPick = await page.getByLabel('Acting account').inputValue();
    await page.getByLabel('Acting account').selectOption({ label: 'Acme Accounting — Admin' });
    await page.getByRole('list', { name: 'Account tree' }).getByRole('link', { name: 'Acme Accounting' }).waitFor();
    await saveScreenshot(page, 'guest-switches-accounts');

    // Assert
    expect(rows).toHaveLength(2);
    expect(rows.find((row) => row.includes('Store S1'))).toContain(demoAccount('store-s1').id);
    expect(rows.find((row) => row.includes('Store S1'))).toContain('Advanced user');
    expect(afterPick).toBe(demoAccount('store-s1').id);
    await expect(page.getByLabel('Acting account').inputValue()).resolves.toBe(demoAccount('acme').id);
    await expect(page.getByRole('list', { name: 'Account tree' }).getByRole('link', { name: 'Store S1' }).count()).resolves.toBe(0);
    await expect(overflowsHorizontally(page)).resolves.toBe(false);
  });
  it('an HQ admin moving a region under a department is refused beside the move form, with the depth rule explained, and nothing moves', async () => {
    // Arrange
    const page = await env.newPage();
    await signIn(page, 'hq.admin@retail.example', DEMO_PASSWORD);
    await page.goto(`/accounts/${demoAccount('north').id}`);
    const moveForm = page.locator('form.move-form');

    // Act
    await page.getByLabel('Move under another account: search its name').fill('Marketing');
    await page.getByLabel('New parent').locator('option', { hasText: 'South Region › Store S1 › Marketing' }).waitFor({ state: 'attached' });
    await page.getByLabel('New parent').selectOption({ label: 'Retail Chain HQ › South Region › Store S1 › Marketing (level 3)' });
    await page.getByRole('button', { name: 'Move North Region' }).click();
    const refusal = moveForm.getByRole('alert');
    await refusal.waitFor();
    await saveScreenshot(page, 'hq-admin-move-refused');

    // Assert
    await expect(refusal.textContent()).resolves.toContain('MAX_DEPTH_EXCEEDED');
    await expect(moveForm.locator('#move-rule').textContent()).resolves.toContain('must not pass 5');
    const { rows } = await env.stack.sql.query(`SELECT parent_id FROM hierarchy.accounts WHERE id = $1`, [demoAccount('north').id]);
    expect(rows).toEqual([{ parent_id: demoAccount('hq').id }]);
  });

  it('closing a store with departments asks to close them too, then closes the store and its departments', async () => {
    // Arrange
    const page = await env.newPage();
    await signIn(page, 'hq.admin@retail.example', DEMO_PASSWORD);
    await page.goto(`/accounts/${demoAccount('store-s2').id}`);

    // Act
    await page.getByRole('button', { name: 'Close Store S2…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Close Store S2?' });
    const closeDisabledWithoutCascade = await dialog.getByRole('button', { name: 'Close account' }).isDisabled();
    await dialog.getByLabel('Also close its 3 sub-accounts and everything below them').check();
    await dialog.getByRole('button', { name: 'Close account' }).click();
    await page.locator('.facts dd', { hasText: 'CLOSED' }).waitFor();
    await saveScreenshot(page, 'hq-admin-closes-store');

    // Assert
    expect(closeDisabledWithoutCascade).toBe(true);
    const { rows } = await env.stack.sql.query(`SELECT DISTINCT status FROM hierarchy.accounts WHERE $1 = ANY(path)`, [demoAccount('store-s2').id]);
    expect(rows).toEqual([{ status: 'CLOSED' }]);
  });
  it("a user of a domain with single sign-on signs in through the identity provider and lands in the tree with the configuration's role", async () => {
    // Arrange
    const provider = await startIdentityProvider();
    const hq = await env.stack.login('hq.admin@retail.example');
    expectNoErrors(
      await env.stack.graphql(
        `mutation($a: ID!, $issuer: String!) { configureSso(accountId: $a, input: { issuer: $issuer, clientId: "portal", allowedDomains: ["sso-retail.example"], defaultRole: BASIC_USER }) { issuer } }`,
        { a: demoAccount('hq').id, issuer: provider.issuer },
        hq,
      ),
    );
    const page = await env.newPage();

    try {
      // Act
      await page.goto('/');
      await page.getByLabel('Email').fill('sasha@sso-retail.example');
      await page.getByRole('button', { name: 'Sign in with SSO' }).click();
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      await page.getByRole('list', { name: 'Account tree' }).getByRole('link', { name: 'Retail Chain HQ' }).waitFor();
      await saveScreenshot(page, 'sso-user-signs-in');

      // Assert
      await expect(page.getByLabel('Acting account').locator('option:checked').textContent()).resolves.toBe('Retail Chain HQ — Basic user');
      expect(new URL(page.url()).pathname).toBe('/accounts');
    } finally {
      await provider.close();
    }
  });
  it('the store admin goes back to the inherited timezone', async () => {
    // Arrange: a store with a timezone of its own
    const hq = await env.stack.login('hq.admin@retail.example');
    const store = expectNoErrors(await env.stack.graphql(`mutation($p: ID!) { createSubAccount(input: { parentId: $p, name: "Store S4" }) { id } }`, { p: demoAccount('south').id }, hq)).createSubAccount;
    expectNoErrors(await env.stack.graphql(`mutation($a: ID!) { updateAccountSettings(id: $a, input: { timezone: "Asia/Tokyo" }) { id } }`, { a: store.id }, hq));
    const page = await env.newPage();
    await signIn(page, 'hq.admin@retail.example', DEMO_PASSWORD);
    await page.goto(`/accounts/${store.id}`);
    const timezone = page.locator('[data-setting="TIMEZONE"]');
    await timezone.getByText('Set on this account').waitFor();

    // Act
    await page.getByRole('button', { name: 'Use inherited Timezone' }).click();
    await timezone.getByText('Inherited from Retail Chain HQ').waitFor();

    // Assert
    await expect(timezone.locator('.setting-value').textContent()).resolves.toBe('Europe/London');
    await expect(page.getByRole('button', { name: 'Use inherited Timezone' }).count()).resolves.toBe(0);
  });

  it("an HQ admin picks North Region's default template and sender ID by name, and a store below shows them inherited", async () => {
    // Arrange: a template HQ shares down and an alphanumeric sender ID of the region, through the API
    const hq = await env.stack.login('hq.admin@retail.example');
    const template = expectNoErrors(
      await env.stack.graphql(`mutation($a: ID!) { createMessageTemplate(accountId: $a, input: { name: "Opening hours", body: "We open at 9", sharedDown: true }) { id } }`, { a: demoAccount('hq').id }, hq),
    ).createMessageTemplate;
    const sender = expectNoErrors(
      await env.stack.graphql(`mutation($a: ID!) { requestSenderId(accountId: $a, input: { kind: ALPHANUMERIC, value: "NORTHSHOP", sharedDown: true }) { id status } }`, { a: demoAccount('north').id }, hq),
    ).requestSenderId;
    const page = await env.newPage();
    await signIn(page, 'hq.admin@retail.example', DEMO_PASSWORD);
    await page.goto(`/accounts/${demoAccount('north').id}`);
    const templateRow = page.locator('[data-setting="DEFAULT_TEMPLATE_ID"]');
    const senderRow = page.locator('[data-setting="DEFAULT_SENDER_ID"]');

    // Act
    await page.getByRole('button', { name: 'Override Default message template' }).click();
    await page.getByLabel('Default message template').selectOption({ label: 'Opening hours (shared by a parent account)' });
    await templateRow.getByRole('button', { name: 'Save' }).click();
    await templateRow.getByText('Set on this account').waitFor();
    await page.getByRole('button', { name: 'Override Default sender ID' }).click();
    await page.getByLabel('Default sender ID').selectOption({ label: `NORTHSHOP (alphanumeric, ${sender.status.toLowerCase()})` });
    await senderRow.getByRole('button', { name: 'Save' }).click();
    await senderRow.getByText('Set on this account').waitFor();
    await page.goto(`/accounts/${demoAccount('store-n1').id}`);
    await page.locator('[data-setting="DEFAULT_SENDER_ID"]').getByText('Inherited from North Region').waitFor();
    await saveScreenshot(page, 'hq-admin-picks-default-template-and-sender');

    // Assert
    await expect(page.locator('[data-setting="DEFAULT_TEMPLATE_ID"] .setting-value').textContent()).resolves.toBe('Opening hours (shared by a parent account)');
    await expect(page.locator('[data-setting="DEFAULT_TEMPLATE_ID"] .origin').textContent()).resolves.toBe('Inherited from North Region');
    await expect(page.locator('[data-setting="DEFAULT_SENDER_ID"] .setting-value').textContent()).resolves.toBe(`NORTHSHOP (alphanumeric, ${sender.status.toLowerCase()})`);
    const settings = expectNoErrors(
      await env.stack.graphql(`query($a: ID!) { account(id: $a) { settings { defaultTemplateId defaultSenderId } } }`, { a: demoAccount('store-n1').id }, hq),
    ).account.settings;
    expect(settings).toEqual({ defaultTemplateId: template.id, defaultSenderId: sender.id });
  });

  it('a signed-in region admin declines one invitation and accepts another, and acts in the accepted account at once', async () => {
    // Arrange: a new store, and two invitations for North Region's admin, through the API
    const hq = await env.stack.login('hq.admin@retail.example');
    const store = expectNoErrors(await env.stack.graphql(`mutation($p: ID!) { createSubAccount(input: { parentId: $p, name: "Store S7" }) { id } }`, { p: demoAccount('south').id }, hq)).createSubAccount;
    const invite = `mutation($a: ID!) { inviteUser(accountId: $a, email: "north.admin@retail.example", role: ADVANCED_USER) { id } }`;
    const toSouth = expectNoErrors(await env.stack.graphql(invite, { a: demoAccount('south').id }, hq)).inviteUser;
    const toStore = expectNoErrors(await env.stack.graphql(invite, { a: store.id }, hq)).inviteUser;
    const page = await env.newPage();

    // Act
    await signIn(page, 'north.admin@retail.example', DEMO_PASSWORD);
    await page.getByRole('heading', { level: 2, name: 'Invitations' }).waitFor();
    const offered = await page.locator('.invitations li').allTextContents();
    await page.getByRole('button', { name: 'Decline the invitation to South Region' }).click();
    await page.getByRole('button', { name: 'Decline the invitation to South Region' }).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Accept the invitation to Store S7' }).click();
    await page.waitForURL('**/accounts');
    await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
    await saveScreenshot(page, 'region-admin-answers-invitations');

    // Assert
    expect(offered).toHaveLength(2);
    expect(offered.join(' ')).toContain('Hanna Quist invites you to South Region as Advanced user');
    await expect(page.getByLabel('Acting account').locator('option:checked').textContent()).resolves.toBe('Store S7 — Advanced user');
    await expect(page.getByRole('link', { name: /invitations/ }).count()).resolves.toBe(0);
    const { rows } = await env.stack.sql.query(`SELECT id, status FROM identity.invitations WHERE id = ANY($1) ORDER BY status`, [[toSouth.id, toStore.id]]);
    expect(rows).toEqual([
      { id: toStore.id, status: 'ACCEPTED' },
      { id: toSouth.id, status: 'DECLINED' },
    ]);
  });

  it('a basic user signs in with the keyboard alone, reads settings without controls to change them, and signs out', async () => {
    // Arrange
    const page = await env.newPage();
    await page.goto('/');
    await page.getByLabel('Email').waitFor();

    // Act
    await page.keyboard.press('Tab');
    await page.keyboard.type('n1.marketing@retail.example');
    await page.keyboard.press('Tab');
    await page.keyboard.type(DEMO_PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.locator('[data-setting="TIMEZONE"]').waitFor();
    const overrideButtons = await page.getByRole('button', { name: /^Override/ }).count();
    const structureSection = await page.getByRole('heading', { name: 'Sub-accounts and status' }).count();
    const inviteSection = await page.getByRole('link', { name: /^Users and invitations/ }).count();
    const readOnlyNote = await page.getByText('Your role can read these settings but not change them.').isVisible();
    await saveScreenshot(page, 'basic-user-reads-settings');
    const token = await page.evaluate("sessionStorage.getItem('portal.session')");
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();

    // Assert
    expect({ overrideButtons, structureSection, inviteSection, readOnlyNote }).toEqual({ overrideButtons: 0, structureSection: 0, inviteSection: 0, readOnlyNote: true });
    await expect(page.evaluate("sessionStorage.getItem('portal.session')")).resolves.toBeNull();
    const afterSignOut = await env.stack.graphql(`{ me { kind } }`, {}, token as string);
    expect(afterSignOut.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
  it("a refused rename shows the API's message beside the name field; suspending a store suspends its departments in the tree until it is resumed", async () => {
    // Arrange
    const page = await env.newPage();
    await signIn(page, 'hq.admin@retail.example', DEMO_PASSWORD);
    await page.goto(`/accounts/${demoAccount('store-n2').id}`);
    const tree = page.getByRole('list', { name: 'Account tree' });

    // Act
    await page.getByLabel('Account name', { exact: true }).fill('   ');
    await page.getByRole('button', { name: 'Rename' }).click();
    const renameError = await page.locator('#rename-error').textContent();
    const nameDescribedBy = await page.getByLabel('Account name', { exact: true }).getAttribute('aria-describedby');
    await page.getByRole('button', { name: 'Suspend Store N2' }).click();
    await page.locator('.facts dd', { hasText: 'SUSPENDED' }).waitFor();
    await page.getByRole('link', { name: 'Accounts', exact: true }).first().click();
    await page.getByLabel('Search accounts by name').fill('Rostering');
    await tree.getByText('Retail Chain HQ › North Region › Store N2').waitFor();
    const departmentStatus = await tree.locator('li', { hasText: 'Store N2' }).locator('.status').textContent();
    await saveScreenshot(page, 'hq-admin-suspends-store');
    await page.goto(`/accounts/${demoAccount('store-n2').id}`);
    await page.getByRole('button', { name: 'Resume Store N2' }).click();
    await page.locator('.facts dd', { hasText: 'ACTIVE' }).waitFor();

    // Assert
    expect(renameError).toBe('name must not be empty');
    expect(nameDescribedBy).toBe('rename-error');
    expect(departmentStatus).toBe('Suspended');
    const { rows } = await env.stack.sql.query(`SELECT name, status FROM hierarchy.accounts WHERE id = $1`, [demoAccount('store-n2').id]);
    expect(rows).toEqual([{ name: 'Store N2', status: 'ACTIVE' }]);
  });
  it("an HQ admin lists a store's members and guests with type, role and user id, on a phone-sized screen", async () => {
    // Arrange
    const page = await env.newPage({ width: 390, height: 844 });
    await signIn(page, 'hq.admin@retail.example', DEMO_PASSWORD);

    // Act
    await page.goto(`/accounts/${demoAccount('store-s1').id}/users`);
    const guest = page.getByRole('row', { name: /Ada Count/ });
    await guest.waitFor();
    const cells = await guest.locator('td').allTextContents();
    await saveScreenshot(page, 'hq-admin-lists-store-users');

    // Assert
    expect(cells.slice(0, 4)).toEqual(['Ada Countaccountant@acme.example', 'Guest', 'Advanced user', 'Active']);
    expect(cells[6]).toContain(demoUser('accountant').id);
    await expect(overflowsHorizontally(page)).resolves.toBe(false);
  });
  it("an HQ admin gives a store's advanced user a credit limit renewed monthly and sees it in the list", async () => {
    // Arrange
    const page = await env.newPage();
    await signIn(page, 'hq.admin@retail.example', DEMO_PASSWORD);
    await page.goto(`/accounts/${demoAccount('store-n1').id}/users`);
    const nadia = page.getByRole('row', { name: /Nadia One/ });

    // Act
    await page.getByRole('button', { name: 'Limits of Nadia One' }).click();
    await page.getByLabel('Credit limit of Nadia One (units)').fill('500');
    await page.getByLabel('Renewed to, on the 1st of each month').fill('400');
    await page.getByRole('button', { name: 'Save credit limit' }).click();
    await nadia.getByText('0 / 500 of 500').waitFor();
    await saveScreenshot(page, 'hq-admin-sets-credit-limit');

    // Assert
    const answer = expectNoErrors(
      await env.stack.graphql(`query($a: ID!) { account(id: $a) { userCredits { nodes { userId limit renewalAmount } } } }`, { a: demoAccount('store-n1').id }, await env.stack.login('hq.admin@retail.example')),
    );
    expect(answer.account.userCredits.nodes).toContainEqual({ userId: demoUser('n1-advanced').id, limit: 500, renewalAmount: 400 });
  });
  it("an HQ admin limits a store's advanced user to one sender ID and one group with numbers masked", async () => {
    // Arrange: a sender ID and two groups on Store N2, made through the API
    const hq = await env.stack.login('hq.admin@retail.example');
    const store = demoAccount('store-n2').id;
    const sender = expectNoErrors(await env.stack.graphql(`mutation($a: ID!) { requestSenderId(accountId: $a, input: { kind: ALPHANUMERIC, value: "NORTHTWO" }) { id } }`, { a: store }, hq)).requestSenderId;
    const vip = expectNoErrors(await env.stack.graphql(`mutation($a: ID!) { createContactGroup(accountId: $a, name: "VIP") { id } }`, { a: store }, hq)).createContactGroup;
    expectNoErrors(await env.stack.graphql(`mutation($a: ID!) { createContactGroup(accountId: $a, name: "Staff") { id } }`, { a: store }, hq));
    const advanced = expectNoErrors(await env.stack.graphql(`mutation($a: ID!) { addAccountMember(accountId: $a, email: "n1.advanced@retail.example", role: ADVANCED_USER) { membership { id } } }`, { a: store }, hq)).addAccountMember.membership;
    const page = await env.newPage();
    await signIn(page, 'hq.admin@retail.example', DEMO_PASSWORD);
    await page.goto(`/accounts/${store}/users`);

    // Act
    await page.getByRole('button', { name: 'Limits of Nadia One' }).click();
    await page.getByRole('radio', { name: 'Only these' }).check();
    await page.getByRole('checkbox', { name: /^NORTHTWO/ }).check();
    await page.getByRole('radio', { name: 'Selected groups' }).check();
    await page.getByLabel('VIP').selectOption('RESTRICTED');
    await page.getByRole('button', { name: 'Save limits of Nadia One' }).click();
    await page.getByRole('row', { name: /Nadia One/ }).getByText('1 sender ID(s) · 1 group(s), numbers masked').waitFor();
    await saveScreenshot(page, 'hq-admin-sets-user-limits');

    // Assert
    const limits = expectNoErrors(
      await env.stack.graphql(`query($a: ID!) { account(id: $a) { members { nodes { id limits { allSenderIds allowedSenderIds contactAccess contactGroups { groupId access } } } } } }`, { a: store }, hq),
    ).account.members.nodes.find((member: { id: string }) => member.id === advanced.id).limits;
    expect(limits).toEqual({ allSenderIds: false, allowedSenderIds: [sender.id], contactAccess: 'SELECTED', contactGroups: [{ groupId: vip.id, access: 'RESTRICTED' }] });
  });
});

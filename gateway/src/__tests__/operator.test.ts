import { DEMO_PASSWORD, demoAccount } from '@platform/demo-data';
import { readMailOutbox } from '@platform/mail';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { codeOf, expectError, expectNoErrors } from '@platform/testing';


describe('the platform operator (SPEC O1-O4, issue 15)', () => {
  let stack: TestStack;
  let operator: string;

  beforeAll(async () => {
    stack = await startTestStack();
    operator = await stack.loginOperator();
  });
  afterAll(() => stack.close());

  it('onboards a customer: a parent account with its time zone, its first admin invited by mail naming the account and the operator, who signs in to an empty tree', async () => {
    // Act
    const created = expectNoErrors(await stack.graphql(`mutation { createCustomer(input: { name: "Harbour Dental", timezone: "Europe/Athens" }) { id name depth status } }`, {}, operator)).createCustomer;
    expectNoErrors(await stack.graphql(`mutation($a: ID!) { inviteCustomerAdmin(accountId: $a, email: "owner@harbour.example") { role status } }`, { a: created.id }, operator));
    const [mail] = await readMailOutbox(stack.db, 'identity', stack.config.internalSigningSecret, 'owner@harbour.example');
    const token = /Invitation token: (inv_\w+)/.exec(mail.text)![1];
    const accepted = expectNoErrors(await stack.graphql(`mutation($t: String!) { acceptInvitation(token: $t, name: "Olga Owner", password: "harbour-owner-password") { token } }`, { t: token }));
    const ownerTree = expectNoErrors(await stack.graphql(`{ accountTree { id name depth } }`, {}, accepted.acceptInvitation.token));
    const settings = expectNoErrors(await stack.graphql(`query($a: ID!) { account(id: $a) { settings { timezone } } }`, { a: created.id }, accepted.acceptInvitation.token));

    // Assert
    expect(created).toMatchObject({ name: 'Harbour Dental', depth: 0, status: 'ACTIVE' });
    expect(mail.subject).toBe('Petra Latform (the platform operator) invited you to Harbour Dental');
    expect(mail.text).toContain('invited you to join Harbour Dental as ADMIN');
    expect(ownerTree.accountTree).toEqual([{ id: created.id, name: 'Harbour Dental', depth: 0 }]);
    expect(settings.account.settings.timezone).toBe('Europe/Athens');
  });

  it("a customer cannot change its parent account's status; the operator can, with a reason, and the customer sees it in its activity log while the operator log keeps its copy", async () => {
    // Arrange
    const hqAdmin = await stack.login('hq.admin@retail.example');
    const hq = demoAccount('hq').id;

    // Act
    const selfSuspend = await stack.graphql(`mutation($a: ID!) { suspendAccount(id: $a) { id } }`, { a: hq }, hqAdmin);
    const customerAsOperator = await stack.graphql(`mutation($a: ID!) { operatorSetAccountStatus(input: { accountId: $a, status: SUSPENDED, reason: "self" }) { id } }`, { a: hq }, hqAdmin);
    const suspended = expectNoErrors(await stack.graphql(`mutation($a: ID!) { operatorSetAccountStatus(input: { accountId: $a, status: SUSPENDED, reason: "Unpaid invoice 2026-11" }) { status } }`, { a: hq }, operator));
    const resumed = expectNoErrors(await stack.graphql(`mutation($a: ID!) { operatorSetAccountStatus(input: { accountId: $a, status: ACTIVE, reason: "Paid" }) { status } }`, { a: hq }, operator));
    const customerLog = expectNoErrors(await stack.graphql(`query($a: ID!) { activityLog(accountId: $a, filter: { action: "operatorSetAccountStatus" }) { entries { actorKind after } } }`, { a: hq }, hqAdmin));
    const operatorLog = expectNoErrors(await stack.graphql(`query($a: ID!) { operatorLog(accountId: $a, filter: { action: "operatorSetAccountStatus" }) { entries { actorKind after } } }`, { a: hq }, operator));
    const customerReadsOperatorLog = await stack.graphql(`query($a: ID!) { operatorLog(accountId: $a) { entries { id } } }`, { a: hq }, hqAdmin);

    // Assert
    expect(codeOf(selfSuspend)).toBe('FORBIDDEN');
    expect(codeOf(customerAsOperator)).toBe('FORBIDDEN');
    expect([suspended.operatorSetAccountStatus.status, resumed.operatorSetAccountStatus.status]).toEqual(['SUSPENDED', 'ACTIVE']);
    expect(customerLog.activityLog.entries).toEqual([
      { actorKind: 'OPERATOR', after: { status: 'ACTIVE', cascade: false, reason: 'Paid' } },
      { actorKind: 'OPERATOR', after: { status: 'SUSPENDED', cascade: false, reason: 'Unpaid invoice 2026-11' } },
    ]);
    expect(operatorLog.operatorLog.entries).toEqual(customerLog.activityLog.entries);
    expect(codeOf(customerReadsOperatorLog)).toBe('FORBIDDEN');
  });

  it('closes a customer with its sub-accounts and reopens it with the ones closed with it; bad input writes nothing', async () => {
    // Arrange
    const acme = demoAccount('acme').id;
    const before = (await stack.sql.query(`SELECT count(*)::int AS n FROM hierarchy.activity_log`)).rows[0].n;

    // Act
    const noReason = await stack.graphql(`mutation($a: ID!) { operatorSetAccountStatus(input: { accountId: $a, status: CLOSED, reason: "  " }) { id } }`, { a: acme }, operator);
    const withOpenChildren = await stack.graphql(`mutation($a: ID!) { operatorSetAccountStatus(input: { accountId: $a, status: CLOSED, reason: "Left" }) { id } }`, { a: acme }, operator);
    const unchanged = (await stack.sql.query(`SELECT count(*)::int AS n FROM hierarchy.activity_log`)).rows[0].n;
    expectNoErrors(await stack.graphql(`mutation($a: ID!) { operatorSetAccountStatus(input: { accountId: $a, status: CLOSED, reason: "Left", cascade: true }) { id } }`, { a: acme }, operator));
    const closed = (await stack.sql.query(`SELECT status FROM hierarchy.accounts WHERE root_id = $1 ORDER BY depth`, [acme])).rows.map((r) => r.status);
    expectNoErrors(await stack.graphql(`mutation($a: ID!) { operatorSetAccountStatus(input: { accountId: $a, status: ACTIVE, reason: "Came back", cascade: true }) { id } }`, { a: acme }, operator));
    const reopened = (await stack.sql.query(`SELECT status FROM hierarchy.accounts WHERE root_id = $1 ORDER BY depth`, [acme])).rows.map((r) => r.status);

    // Assert
    expectError(noReason, 'BAD_USER_INPUT');
    expectError(withOpenChildren, 'ACCOUNT_HAS_OPEN_CHILDREN');
    expect(unchanged).toBe(before);
    expect(closed).toEqual(['CLOSED', 'CLOSED']);
    expect(reopened).toEqual(['ACTIVE', 'ACTIVE']);
  });

  it("a customer's top admin asks for closure; an advanced user may not; the operator finds the request and completes it, which answers it", async () => {
    // Arrange
    const customer = expectNoErrors(await stack.graphql(`mutation { createCustomer(input: { name: "Leaving Ltd" }) { id } }`, {}, operator)).createCustomer.id;
    const hqAdmin = await stack.login('hq.admin@retail.example');
    const advanced = await stack.login('n1.advanced@retail.example');

    // Act
    const byAdvancedUser = await stack.graphql(`mutation($a: ID!) { requestAccountClosure(accountId: $a, reason: "bye") { requestedAt } }`, { a: demoAccount('store-n1').id }, advanced);
    const onSubAccount = await stack.graphql(`mutation($a: ID!) { requestAccountClosure(accountId: $a, reason: "bye") { requestedAt } }`, { a: demoAccount('north').id }, hqAdmin);
    const requested = expectNoErrors(await stack.graphql(`mutation($a: ID!) { requestAccountClosure(accountId: $a, reason: "We are moving to another provider") { reason } }`, { a: demoAccount('hq').id }, hqAdmin));
    const asked = expectNoErrors(await stack.graphql(`{ customers(filter: { closureRequested: true }) { nodes { account { id closureRequest { reason } } } } }`, {}, operator)).customers.nodes;
    expectNoErrors(await stack.graphql(`mutation($a: ID!) { operatorSetAccountStatus(input: { accountId: $a, status: CLOSED, reason: "Closed on request", cascade: true }) { id } }`, { a: demoAccount('hq').id }, operator));
    const afterClosing = expectNoErrors(await stack.graphql(`{ customers(filter: { closureRequested: true }) { nodes { account { id } } } }`, {}, operator)).customers.nodes;
    expectNoErrors(await stack.graphql(`mutation($a: ID!) { operatorSetAccountStatus(input: { accountId: $a, status: ACTIVE, reason: "Test over", cascade: true }) { id } }`, { a: demoAccount('hq').id }, operator));

    // Assert
    expect(codeOf(byAdvancedUser)).toBe('FORBIDDEN');
    expect(codeOf(onSubAccount)).toBe('FORBIDDEN');
    expect(requested.requestAccountClosure.reason).toBe('We are moving to another provider');
    expect(asked).toEqual([{ account: { id: demoAccount('hq').id, closureRequest: { reason: 'We are moving to another provider' } } }]);
    expect(asked.some((node: { account: { id: string } }) => node.account.id === customer)).toBe(false);
    expect(afterClosing).toEqual([]);
  });

  it('lists customers for operators only, searchable by name, paged', async () => {
    // Act
    const firstPage = expectNoErrors(await stack.graphql(`{ customers(first: 1) { nodes { account { name } } pageInfo { hasNextPage endCursor } totalCount } }`, {}, operator)).customers;
    const secondPage = expectNoErrors(await stack.graphql(`query($after: String) { customers(first: 100, after: $after) { nodes { account { name } } } }`, { after: firstPage.pageInfo.endCursor }, operator)).customers;
    const retail = expectNoErrors(await stack.graphql(`{ customers(filter: { nameContains: "retail" }) { nodes { account { id name } accountCount } totalCount } }`, {}, operator)).customers;
    const asCustomer = await stack.graphql(`{ customers { nodes { account { id } } } }`, {}, await stack.login('hq.admin@retail.example'));

    // Assert
    expect(firstPage.pageInfo.hasNextPage).toBe(true);
    const names = [...firstPage.nodes, ...secondPage.nodes].map((node: { account: { name: string } }) => node.account.name);
    expect(new Set(names).size).toBe(names.length);
    expect(firstPage.totalCount).toBe(names.length);
    expect(retail.totalCount).toBe(1);
    expect(names).toEqual(expect.arrayContaining(['Retail Chain HQ', 'Acme Accounting']));
    expect(retail.nodes).toEqual([{ account: { id: demoAccount('hq').id, name: 'Retail Chain HQ' }, accountCount: 19 }]);
    expect(codeOf(asCustomer)).toBe('FORBIDDEN');
  });

  it('reviews sender IDs: customers cannot approve their own; the operator lists pending requests, approves one and rejects one with a reason the customer reads', async () => {
    // Arrange
    const hqAdmin = await stack.login('hq.admin@retail.example');
    const store = demoAccount('store-n2').id;
    const request = async (value: string) =>
      expectNoErrors(await stack.graphql(`mutation($a: ID!, $v: String!) { requestSenderId(accountId: $a, input: { kind: DEDICATED_NUMBER, value: $v }) { id status } }`, { a: store, v: value }, hqAdmin)).requestSenderId;
    const approved = await request('+447400777001');
    const rejected = await request('+447400777002');

    // Act
    const selfApproval = await stack.graphql(`mutation($id: ID!) { activateSenderId(id: $id) { status } }`, { id: approved.id }, hqAdmin);
    const pending = expectNoErrors(await stack.graphql(`{ pendingSenderIds(first: 100) { nodes { id value } } }`, {}, operator)).pendingSenderIds.nodes;
    const activated = expectNoErrors(await stack.graphql(`mutation($id: ID!) { activateSenderId(id: $id) { status } }`, { id: approved.id }, operator)).activateSenderId;
    const noReason = await stack.graphql(`mutation($id: ID!) { rejectSenderId(id: $id, reason: "") { status } }`, { id: rejected.id }, operator);
    expectNoErrors(await stack.graphql(`mutation($id: ID!) { rejectSenderId(id: $id, reason: "The number is not registered to the customer") { status } }`, { id: rejected.id }, operator));
    const again = await stack.graphql(`mutation($id: ID!) { activateSenderId(id: $id) { status } }`, { id: rejected.id }, operator);
    const seen = expectNoErrors(await stack.graphql(`query($a: ID!) { senderIds(accountId: $a) { nodes { id status rejectionReason } } }`, { a: store }, hqAdmin)).senderIds.nodes;
    const log = expectNoErrors(await stack.graphql(`query($a: ID!) { activityLog(accountId: $a, filter: { action: "rejectSenderId" }) { entries { actorKind after } } }`, { a: store }, hqAdmin));

    // Assert
    expect(codeOf(selfApproval)).toBe('FORBIDDEN');
    expect(pending.map((node: { id: string }) => node.id)).toEqual(expect.arrayContaining([approved.id, rejected.id]));
    expect(activated.status).toBe('ACTIVE');
    expectError(noReason, 'BAD_USER_INPUT');
    expectError(again, 'INVALID_STATE');
    expect(seen).toEqual(expect.arrayContaining([
      { id: approved.id, status: 'ACTIVE', rejectionReason: null },
      { id: rejected.id, status: 'REJECTED', rejectionReason: 'The number is not registered to the customer' },
    ]));
    expect(log.activityLog.entries).toEqual([{ actorKind: 'OPERATOR', after: { status: 'REJECTED', reason: 'The number is not registered to the customer' } }]);
  });

  it('operator sign-in: a wrong password and an API key are refused; a new operator sets a password from a one-time link; a disabled one is signed out', async () => {
    // Arrange
    const northAdmin = await stack.login('north.admin@retail.example');
    const apiKey = expectNoErrors(await stack.graphql(`mutation($a: ID!) { createApiKey(accountId: $a, name: "ops", role: ADMIN) { key } }`, { a: demoAccount('north').id }, northAdmin)).createApiKey.key;

    // Act
    const wrong = await stack.graphql(`mutation { operatorLogin(email: "operator@platform.example", password: "not-the-password") { token } }`);
    const byApiKey = await stack.graphql(`mutation($p: String!) { operatorLogin(email: "operator@platform.example", password: $p) { token } }`, { p: DEMO_PASSWORD }, apiKey);
    const setup = expectNoErrors(await stack.graphql(`mutation { createOperator(input: { email: "Finn@Platform.example", name: "Finn Ance", role: OPERATOR_FINANCE }) { operator { id email role } setupLink } }`, {}, operator)).createOperator;
    const token = new URL(setup.setupLink, 'http://portal').searchParams.get('token')!;
    const session = expectNoErrors(await stack.graphql(`mutation($t: String!) { completeOperatorSetup(token: $t, password: "finance-password-1") { token operator { role } } }`, { t: token })).completeOperatorSetup;
    const reused = await stack.graphql(`mutation($t: String!) { completeOperatorSetup(token: $t, password: "another-password-2") { token } }`, { t: token });
    const financeCreates = await stack.graphql(`mutation { createCustomer(input: { name: "Not allowed" }) { id } }`, {}, session.token);
    expectNoErrors(await stack.graphql(`mutation($id: ID!) { setOperatorStatus(id: $id, status: DISABLED) { status } }`, { id: setup.operator.id }, operator));
    const afterDisable = await stack.graphql(`{ operatorMe { id } }`, {}, session.token);

    // Assert
    expect(codeOf(wrong)).toBe('UNAUTHENTICATED');
    expect(codeOf(byApiKey)).toBe('FORBIDDEN');
    expect(setup.operator).toMatchObject({ email: 'finn@platform.example', role: 'OPERATOR_FINANCE' });
    expect(session.operator.role).toBe('OPERATOR_FINANCE');
    expect(codeOf(reused)).toBe('INVALID_TOKEN');
    expect(codeOf(financeCreates)).toBe('FORBIDDEN');
    expect(codeOf(afterDisable)).toBe('UNAUTHENTICATED');
  });
});

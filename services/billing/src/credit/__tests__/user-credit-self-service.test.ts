import type { BillingClient } from '@platform/billing-client';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { expectError, expectNoErrors } from '@platform/testing';
import { billingClientFor, expectConsistentLedger, openBillingProcess } from '../../__tests__/billing-test-kit';

/**
 * SPEC I6 (seed 004) as a sub-user and their admin use it: the admin sets a credit limit and a
 * monthly renewal amount; the sub-user reads their own credit on their access list without the
 * `billing` permission; clearing and setting the limit again keeps what was spent this period; on
 * the 1st the renewal amount becomes the limit and spending starts again from zero.
 */
describe('user credit: renewal amount and self-service (SPEC I6)', () => {
  let stack: TestStack;
  let client: BillingClient;
  let hqAdmin: string;
  let subUser: string;
  const store = demoAccount('store-n1').id;
  const user = demoUser('n1-advanced').id;

  const SET = `mutation($a: ID!, $u: ID!, $l: Int, $r: Int) {
    setUserCreditLimit(accountId: $a, userId: $u, limit: $l, renewalAmount: $r) { limit renewalAmount monthlyRenewal spent remaining }
  }`;
  const OWN_CREDIT = `query { me { memberships { accountId credit { limit renewalAmount spent held remaining } limits { allSenderIds contactAccess } } } }`;

  type OwnCredit = { me: { memberships: { accountId: string; credit: { limit: number; renewalAmount: number | null; spent: number; held: number; remaining: number } | null }[] } };
  const ownCredit = async () => expectNoErrors(await stack.graphql<OwnCredit>(OWN_CREDIT, {}, subUser)).me.memberships.find((m) => m.accountId === store)!.credit;

  async function spend(units: number, key: string) {
    const reservation = await client.reserve({ accountId: store, userId: user, units, idempotencyKey: key, reference: key });
    await client.capture(reservation.id);
  }

  beforeAll(async () => {
    stack = await startTestStack();
    client = billingClientFor(stack);
    hqAdmin = await stack.login(demoUser('hq-admin').email);
    subUser = await stack.login(demoUser('n1-advanced').email);
  });
  afterAll(() => stack?.close());

  it('the admin sets a limit with its own renewal amount; the sub-user reads it on their access list without billing', async () => {
    // Act
    const set = expectNoErrors(await stack.graphql(SET, { a: store, u: user, l: 300, r: 250 }, hqAdmin));
    const credit = await ownCredit();
    const ledger = await stack.graphql(`query($a: ID!) { account(id: $a) { ledger { entries { id } } } }`, { a: store }, subUser);

    // Assert
    expect(set.setUserCreditLimit).toEqual({ limit: 300, renewalAmount: 250, monthlyRenewal: true, spent: 0, remaining: 300 });
    expect(credit).toEqual({ limit: 300, renewalAmount: 250, spent: 0, held: 0, remaining: 300 });
    expectError(ledger, 'FORBIDDEN');
  });

  it("whoever lacks billing reads no one else's credit: that field fails alone, the list stands", async () => {
    // Arrange: North's admin may view Store N1's members (users.view) but holds no billing
    const northAdmin = await stack.login(demoUser('north-admin').email);
    const MEMBERS = `query($a: ID!) { account(id: $a) { members { nodes { userId credit { limit } } } } }`;

    // Act
    const byNorthAdmin = await stack.graphql<{ account: { members: { nodes: { userId: string; credit: unknown }[] } } }>(MEMBERS, { a: store }, northAdmin);
    const bySubUser = await stack.graphql<{ account: { members: { nodes: { userId: string; credit: unknown }[] } } }>(MEMBERS, { a: store }, subUser);

    // Assert
    const theirs = byNorthAdmin.data!.account.members.nodes.find((m) => m.userId === user)!;
    expect(theirs.credit).toBeNull();
    const index = byNorthAdmin.data!.account.members.nodes.indexOf(theirs);
    expectError(byNorthAdmin, 'FORBIDDEN', ['account', 'members', 'nodes', index, 'credit']);
    expect(expectNoErrors(bySubUser).account.members.nodes.find((m) => m.userId === user)!.credit).toEqual({ limit: 300 });
  });

  it('clearing and setting the limit again never forgets what was spent this period', async () => {
    // Arrange
    expectNoErrors(await stack.graphql(SET, { a: store, u: user, l: 300, r: 250 }, hqAdmin));
    await spend(40, 'self-service-spend-1');

    // Act
    const cleared = expectNoErrors(await stack.graphql(SET, { a: store, u: user, l: null }, hqAdmin));
    const whileCleared = await ownCredit();
    await spend(10, 'self-service-spend-2');
    const again = expectNoErrors(await stack.graphql(SET, { a: store, u: user, l: 100 }, hqAdmin));

    // Assert
    expect(cleared.setUserCreditLimit).toBeNull();
    expect(whileCleared).toBeNull();
    expect(again.setUserCreditLimit).toEqual({ limit: 100, renewalAmount: null, monthlyRenewal: false, spent: 50, remaining: 50 });
    await expectConsistentLedger(stack);
  });

  it('on the 1st the renewal amount becomes the limit and spending starts from zero', async () => {
    // Arrange: a limit of 400 renewing to 120, spent in a period that has ended
    expectNoErrors(await stack.graphql(SET, { a: store, u: user, l: 400, r: 120 }, hqAdmin));
    await spend(30, 'self-service-spend-3');
    await stack.sql.query(`UPDATE billing.user_limits SET period_start = (period_start - interval '1 month')::date WHERE account_id = $1 AND user_id = $2`, [store, user]);
    const billing = await openBillingProcess(stack);

    // Act
    const renewed = await billing.credit.renewDueUserLimits();
    await billing.dataSource.destroy();

    // Assert
    expect(renewed).toBe(1);
    expect(await ownCredit()).toEqual({ limit: 120, renewalAmount: 120, spent: 0, held: 0, remaining: 120 });
  });

  it('every invalid argument is reported at once, and nothing changes', async () => {
    // Arrange
    const before = await ownCredit();

    // Act
    const response = await stack.graphql(SET, { a: store, u: user, l: -1, r: -5 }, hqAdmin);

    // Assert
    const error = expectError(response, 'BAD_USER_INPUT');
    expect((error.extensions?.fields as { field: string }[]).map((f) => f.field)).toEqual(['limit', 'renewalAmount']);
    expect(await ownCredit()).toEqual(before);
  });

  it('a renewal amount without a limit is refused', async () => {
    // Act
    const response = await stack.graphql(SET, { a: store, u: user, l: null, r: 10 }, hqAdmin);

    // Assert
    expect((expectError(response, 'BAD_USER_INPUT').extensions?.fields as { field: string }[]).map((f) => f.field)).toEqual(['renewalAmount']);
  });
});

import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { codeOf, logEntries, operatorLogin } from '../../__tests__/billing-test-kit';

jest.setTimeout(60_000);

/** SPEC O3, B5: the plan is the operator's; a customer admin requests a change and sees it pending. */
describe('plans (SPEC O3, B5)', () => {
  let stack: TestStack;
  const hq = demoAccount('hq').id;
  const profile = `query($a: ID!) { account(id: $a) { billingProfile { plan requestedPlan planRequestedAt } } }`;
  const storedPlan = async () =>
    (await stack.sql.query(`SELECT plan, requested_plan FROM billing.billing_profiles WHERE account_id = $1`, [hq])).rows[0] ?? { plan: 'STANDARD', requested_plan: null };

  beforeAll(async () => {
    stack = await startTestStack({ env: { BILLING_SWEEP_INTERVAL_MS: '0' } });
  });
  afterAll(() => stack.close());

  it("refuses a customer admin's plan change, records its request, and lets the operator set the plan, clearing the request", async () => {
    // Arrange
    const hqAdmin = await stack.login(demoUser('hq-admin').email);
    const northAdmin = await stack.login(demoUser('north-admin').email);
    const operator = await operatorLogin(stack);
    const request = (accountId: string, plan: string, token: string) =>
      stack.graphql(`mutation($a: ID!, $p: Plan!) { requestPlanChange(accountId: $a, plan: $p) { plan requestedPlan } }`, { a: accountId, p: plan }, token);
    const setPlan = (plan: string, token: string) => stack.graphql(`mutation($a: ID!, $p: Plan!) { setCustomerPlan(accountId: $a, plan: $p) { plan requestedPlan } }`, { a: hq, p: plan }, token);

    // Act
    const refusals = {
      setByCustomer: codeOf(await setPlan('ENTERPRISE', hqAdmin)),
      throughProfile: codeOf(await stack.graphql(`mutation($a: ID!) { updateBillingProfile(accountId: $a, input: { plan: ENTERPRISE }) { plan } }`, { a: hq }, hqAdmin)),
      requestWithoutBilling: codeOf(await request(demoAccount('north').id, 'ENTERPRISE', northAdmin)),
      requestOnSubAccount: codeOf(await request(demoAccount('north').id, 'ENTERPRISE', hqAdmin)),
      requestCurrentPlan: codeOf(await request(hq, 'STANDARD', hqAdmin)),
    };
    const afterRefusals = await storedPlan();
    const requested = await request(hq, 'ENTERPRISE', hqAdmin);
    const requestedAgain = await request(hq, 'ENTERPRISE', hqAdmin);
    const pending = (await stack.graphql(profile, { a: hq }, operator)).data.account.billingProfile;
    const set = await setPlan('ENTERPRISE', operator);
    const seenByCustomer = (await stack.graphql(profile, { a: hq }, hqAdmin)).data.account.billingProfile;
    const log = (await stack.graphql(`query($a: ID!) { activityLog(accountId: $a) { entries { action actorKind before after } } }`, { a: hq }, hqAdmin)).data.activityLog.entries;

    // Assert
    expect(refusals).toEqual({
      setByCustomer: 'FORBIDDEN',
      throughProfile: 'GRAPHQL_VALIDATION_FAILED',
      requestWithoutBilling: 'FORBIDDEN',
      requestOnSubAccount: 'BAD_USER_INPUT',
      requestCurrentPlan: 'INVALID_STATE',
    });
    expect(afterRefusals).toEqual({ plan: 'STANDARD', requested_plan: null });
    expect(requested.data.requestPlanChange).toEqual({ plan: 'STANDARD', requestedPlan: 'ENTERPRISE' });
    expect(requestedAgain.data.requestPlanChange).toEqual({ plan: 'STANDARD', requestedPlan: 'ENTERPRISE' });
    expect(pending).toEqual({ plan: 'STANDARD', requestedPlan: 'ENTERPRISE', planRequestedAt: expect.any(String) });
    expect(set.data.setCustomerPlan).toEqual({ plan: 'ENTERPRISE', requestedPlan: null });
    expect(seenByCustomer).toEqual({ plan: 'ENTERPRISE', requestedPlan: null, planRequestedAt: null });
    expect(log.filter((e: { action: string }) => ['requestPlanChange', 'setCustomerPlan'].includes(e.action))).toEqual([
      { action: 'setCustomerPlan', actorKind: 'OPERATOR', before: { plan: 'STANDARD', requestedPlan: 'ENTERPRISE' }, after: { plan: 'ENTERPRISE', requestedPlan: null } },
      { action: 'requestPlanChange', actorKind: 'USER', before: { plan: 'STANDARD', requestedPlan: null }, after: { plan: 'STANDARD', requestedPlan: 'ENTERPRISE' } },
    ]);
    expect((await logEntries(stack, 'setCustomerPlan')).operator).toEqual([expect.objectContaining({ actor_kind: 'OPERATOR', target_id: hq })]);
    expect((await logEntries(stack, 'requestPlanChange')).operator).toEqual([]);
  });
});

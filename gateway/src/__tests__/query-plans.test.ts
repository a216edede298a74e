import { startTestStack, type TestStack } from '@platform/platform/testing';
import { request } from './http-client';

const TREE = 'query Tree { accountTree { id name balance } }';

/** How the gateway runs query plans, seen by its clients: plans are cached per operation, answers belong to each caller. */
describe('query plans through the gateway', () => {
  let stack: TestStack;
  let hqAdmin: string;
  let advanced: string;

  beforeAll(async () => {
    stack = await startTestStack();
    hqAdmin = await stack.login('hq.admin@retail.example');
    advanced = await stack.login('n1.advanced@retail.example');
  });
  afterAll(() => stack.close());

  it('answers the same operation sent at once by two principals with each its own answer (plans are shared, answers never)', async () => {
    // Act
    const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => stack.graphql<{ accountTree: { id: string; balance: number | null }[] }>(TREE, {}, i % 2 ? advanced : hqAdmin)));

    // Assert
    for (const [i, answer] of answers.entries()) {
      if (i % 2) {
        expect(answer.data?.accountTree.every((account) => account.balance === null)).toBe(true);
        expect(new Set((answer.errors ?? []).map((error) => error.extensions?.code))).toEqual(new Set(['FORBIDDEN']));
        expect(answer.errors).toHaveLength(answer.data!.accountTree.length);
      } else {
        expect(answer.errors).toBeUndefined();
        expect(answer.data!.accountTree.length).toBeGreaterThan(answers[1].data!.accountTree.length);
      }
    }
  });

  it('shows the query plan outside production when asked with Apollo-Query-Plan-Experimental, as Apollo Gateway does', async () => {
    // Act
    const prettified = await request(stack.gatewayUrl, { body: { query: TREE }, headers: { authorization: `Bearer ${hqAdmin}`, 'apollo-query-plan-experimental': '1' } });
    const internal = await request(stack.gatewayUrl, { body: { query: TREE }, headers: { authorization: `Bearer ${hqAdmin}`, 'apollo-query-plan-experimental': '1', 'apollo-query-plan-experimental-format': 'internal' } });
    const plain = await request(stack.gatewayUrl, { body: { query: TREE }, headers: { authorization: `Bearer ${hqAdmin}` } });

    // Assert
    expect(prettified.body.extensions.__queryPlanExperimental).toMatch(/Fetch\(service: "account-hierarchy"\)[\s\S]*Fetch\(service: "billing"\)/);
    expect(internal.body.extensions.__queryPlanExperimental).toMatchObject({ kind: 'QueryPlan' });
    expect(plain.body.extensions).toBeUndefined();
    expect(prettified.body.data).toEqual(plain.body.data);
  });

  it('refuses variables of the wrong type before any fetch', async () => {
    // Act
    const response = await stack.graphql('query Tree($id: ID) { accountTree(rootId: $id) { id } }', { id: { not: 'an id' } }, hqAdmin);

    // Assert
    expect(response.data).toBeUndefined();
    expect(response.errors?.[0].message).toMatch(/Variable "\$id" got invalid value/);
  });
});

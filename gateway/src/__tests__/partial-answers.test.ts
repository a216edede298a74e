import { startTestStack, type TestStack } from '@platform/platform/testing';
import { postGraphQL, typedDocument, type GraphQLResponse } from '@platform/testing';
import { deadUrl, startExtraGateway } from './extra-gateway';

type TreeRow = { id: string; name: string; balance?: number | null; messageCount?: number | null; members?: { totalCount: number } | null };
const TREE_WITH_BALANCE = typedDocument<{ accountTree: TreeRow[] }>(`query TreeWithBalance { accountTree { id name balance } }`);


/** The error paths of an answer, as strings. */
const pathsOf = (response: GraphQLResponse<unknown>) => (response.errors ?? []).map((error) => (error.path ?? []).join('.')).sort();

describe('a field that fails fails alone: the rest of the list stands (issue 14 item 4)', () => {
  let stack: TestStack;
  let hqAdmin: string;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    stack = await startTestStack();
    hqAdmin = await stack.login('hq.admin@retail.example');
  });
  afterAll(async () => {
    for (const close of closers) await close();
    await stack.close();
  });

  it("an ADVANCED_USER's accountTree { name balance } has every name, balance null and one FORBIDDEN error per account, on its path", async () => {
    // Arrange
    const advanced = await stack.login('n1.advanced@retail.example');

    // Act
    const response = await stack.graphql(TREE_WITH_BALANCE, {}, advanced);

    // Assert
    const tree = response.data!.accountTree;
    expect(tree.map((account) => account.name)).toEqual(['Store N1', 'Marketing', 'Rostering', 'Sales Support']);
    expect(tree.every((account) => account.balance === null)).toBe(true);
    expect(response.errors!.map((error) => error.extensions?.code)).toEqual(tree.map(() => 'FORBIDDEN'));
    expect(pathsOf(response)).toEqual(tree.map((_, index) => `accountTree.${index}.balance`).sort());
  });

  it('an admin of the same tree sees every balance, without errors', async () => {
    // Act
    const response = await stack.graphql(TREE_WITH_BALANCE, {}, hqAdmin);

    // Assert
    expect(response.errors).toBeUndefined();
    expect(response.data!.accountTree.every((account) => typeof account.balance === 'number')).toBe(true);
  });

  it.each([
    ['billing', 'balance'],
    ['identity', 'members(first: 1) { totalCount }'],
    ['messaging', 'messageCount'],
  ] as const)('with %s stopped, the tree still renders: %s is null with SERVICE_UNAVAILABLE naming the service on each of its paths, the other fields answer', async (subgraph, field) => {
    // Arrange
    const gateway = await startExtraGateway(stack, stack.config, { subgraphUrls: { ...stack.subgraphUrls, [subgraph]: await deadUrl() } });
    closers.push(gateway.close);
    const fieldName = field.split(/[ (]/)[0] as keyof TreeRow;

    // Act
    const response = await postGraphQL<{ accountTree: TreeRow[] }>(gateway.url, { query: `{ accountTree { id name ${field} } }` }, { authorization: `Bearer ${hqAdmin}` });

    // Assert
    expect(response.status).toBe(200);
    const tree = response.data!.accountTree;
    expect(tree.length).toBeGreaterThan(10);
    expect(tree.every((account) => typeof account.name === 'string' && account[fieldName] === null)).toBe(true);
    expect(response.errors!.length).toBeGreaterThan(0);
    for (const error of response.errors!) {
      expect(error.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', service: subgraph, retryable: true });
      expect(JSON.stringify(error)).not.toMatch(/fetch failed|ECONNREFUSED|127\.0\.0\.1/);
    }
    expect(pathsOf(response)).toEqual(tree.map((_, index) => `accountTree.${index}.${fieldName}`).sort());
  });

  it("with account-hierarchy stopped, a user's access list still answers: each account reference is null with SERVICE_UNAVAILABLE on its path", async () => {
    // Arrange
    const gateway = await startExtraGateway(stack, stack.config, { subgraphUrls: { ...stack.subgraphUrls, 'account-hierarchy': await deadUrl() } });
    closers.push(gateway.close);

    // Act
    const response = await postGraphQL<{ me: { user: { email: string }; memberships: { role: string; account: { name: string } | null }[] } }>(
      gateway.url,
      { query: '{ me { user { email } memberships { role account { name } } } }' },
      { authorization: `Bearer ${hqAdmin}` },
    );

    // Assert
    expect(response.data!.me).toEqual({ user: { email: 'hq.admin@retail.example' }, memberships: [{ role: 'ADMIN', account: null }] });
    expect(response.errors!.map((error) => [error.extensions?.code, error.extensions?.service, (error.path ?? []).join('.')])).toEqual([
      ['SERVICE_UNAVAILABLE', 'account-hierarchy', 'me.memberships.0.account.name'],
    ]);
  });
});

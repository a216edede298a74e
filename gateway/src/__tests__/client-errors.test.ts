import { demoAccount } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { codeOf, postGraphQL } from '@platform/testing';

/** Client mistakes are answered 4xx with a code, never 500, and change nothing (issue 12, items 17, 18, 22). */
describe('client errors at the gateway boundary', () => {
  let stack: TestStack;
  let token: string;

  beforeAll(async () => {
    stack = await startTestStack({ env: { RATE_LIMIT_PER_IP: '0' } });
    token = await stack.login('hq.admin@retail.example');
  });
  afterAll(() => stack.close());

  const post = (body: unknown) => postGraphQL(stack.gatewayUrl, body, { authorization: `Bearer ${token}` });

  it('an unknown operationName, or several operations without one, is a 400 with a code', async () => {
    // Arrange
    const twoOperations = 'query A { accountTree { id } } query B { accountTree { name } }';

    // Act
    const unknown = await post({ query: 'query A { accountTree { id } }', operationName: 'Nope' });
    const ambiguous = await post({ query: twoOperations });
    const chosen = await post({ query: twoOperations, operationName: 'B' });

    // Assert
    for (const response of [unknown, ambiguous]) {
      expect(response.status).toBe(400);
      expect(codeOf(response)).toBe('OPERATION_RESOLUTION_FAILURE');
      expect(response.data).toBeUndefined();
    }
    expect(chosen.status).toBe(200);
    expect(chosen.data).toHaveProperty('accountTree');
  });

  it('a lone UTF-16 surrogate in any string argument is refused with BAD_USER_INPUT and writes nothing', async () => {
    // Arrange
    const before = await stack.sql.query(`SELECT count(*)::int AS n FROM hierarchy.accounts`);
    const activityBefore = await stack.sql.query(`SELECT count(*)::int AS n FROM hierarchy.activity_log`);
    const create = 'mutation($input: CreateSubAccountInput!) { createSubAccount(input: $input) { id } }';
    const rename = 'mutation($id: ID!, $name: String!) { updateAccountSettings(id: $id, input: { name: $name }) { id } }';

    // Act
    const answers = await Promise.all([
      post({ query: create, variables: { input: { parentId: demoAccount('hq').id, name: 'Store \ud800' } } }),
      post({ query: create, variables: { input: { parentId: demoAccount('hq').id, name: 'Store \udc00 tail' } } }),
      post({ query: rename, variables: { id: demoAccount('north').id, name: 'North \ud83d' } }),
      post({ query: `mutation { updateAccountSettings(id: "${demoAccount('north').id}", input: { name: "North \\ud800" }) { id } }` }),
    ]);

    // Assert
    for (const response of answers) {
      expect(response.status).toBe(400);
      expect(['BAD_USER_INPUT', 'GRAPHQL_PARSE_FAILED']).toContain(codeOf(response));
    }
    expect(answers.slice(0, 3).map(codeOf)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT', 'BAD_USER_INPUT']);
    expect(answers[0].errors?.[0].extensions?.field).toBe('variables.input.name');
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM hierarchy.accounts`)).rows[0].n).toBe(before.rows[0].n);
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM hierarchy.activity_log`)).rows[0].n).toBe(activityBefore.rows[0].n);
    const north = await stack.sql.query(`SELECT name FROM hierarchy.accounts WHERE id = $1`, [demoAccount('north').id]);
    expect(north.rows[0].name).toBe('North Region');
  });

  it('a well-formed astral character (a surrogate pair) is accepted', async () => {
    // Act
    const response = await post({
      query: 'mutation($input: CreateSubAccountInput!) { createSubAccount(input: $input) { name } }',
      variables: { input: { parentId: demoAccount('hq').id, name: 'Store 🏬' } },
    });

    // Assert
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ createSubAccount: { name: 'Store 🏬' } });
  });
});

describe("the gateway's per-address rate limit covers every route it serves", () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ env: { RATE_LIMIT_PER_IP: '3', RATE_LIMIT_WINDOW_SECONDS: '3600', REDIS_URL: '', TRUST_PROXY: 'true' } });
  });
  afterAll(() => stack.close());

  it.each([
    ['short links', 'GET', '/l/doesnotexist', '203.0.113.1'],
    ['email to SMS', 'POST', '/inbound/email', '203.0.113.2'],
    ['exports', 'GET', '/exports/usage.csv?token=x', '203.0.113.3'],
  ])('%s (%s %s) count towards the limit and are refused with 429 RATE_LIMITED once it is spent', async (_name, method, path, address) => {
    // Arrange: each route has an address of its own so the cases do not share a budget.
    const url = new URL(path, stack.gatewayUrl);
    const send = () => fetch(url, { method, headers: { 'x-forwarded-for': address, 'content-type': 'application/json' }, body: method === 'POST' ? '{}' : undefined, redirect: 'manual' });

    // Act
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await send()).status);
    const refused = await send();

    // Assert
    expect(statuses.every((status) => status !== 429)).toBe(true);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('RATE_LIMITED');
  });
});

import { Lexer, Source, TokenKind } from 'graphql';
import { demoAccount } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { principalKeyEnvironment } from '@platform/testing';
import { getIntrospectionQuery } from 'graphql';
import { OPERATION_LIMITS } from '../limits';
import { errorCodes, request } from './http-client';

const LIMIT_CODES = ['QUERY_TOO_DEEP', 'TOO_MANY_ALIASES', 'TOO_MANY_DIRECTIVES', 'TOO_MANY_TOKENS', 'QUERY_TOO_COSTLY', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED'];

/** `account(id) { parent { … { id } } }` nested to exactly `depth` field levels. */
function parentChain(depth: number): string {
  const parents = depth - 2;
  return `account(id: $id) { ${'parent { '.repeat(parents)}id${' }'.repeat(parents)} }`;
}

function countTokens(text: string): number {
  const lexer = new Lexer(new Source(text));
  let count = 0;
  while (lexer.advance().kind !== TokenKind.EOF) count += 1;
  return count;
}


// Starting a stack migrates a throwaway database; with suites in parallel that can exceed jest's 5 s default.
jest.setTimeout(30_000);
describe('operation limits at the gateway (SPEC G4)', () => {
  let stack: TestStack;
  let token: string;
  const id = demoAccount('store-n1-marketing').id;

  beforeAll(async () => {
    stack = await startTestStack();
    token = await stack.login('hq.admin@retail.example');
  });
  afterAll(() => stack.close());

  const run = (query: string, variables: Record<string, unknown> = { id }) => request(stack.gatewayUrl, { body: { query, variables }, headers: { authorization: `Bearer ${token}` } });

  const expectPasses = (response: Awaited<ReturnType<typeof run>>) => {
    expect(errorCodes(response.body).filter((code) => LIMIT_CODES.includes(code!))).toEqual([]);
    expect(response.body.data).toBeTruthy();
  };
  const expectRefused = (response: Awaited<ReturnType<typeof run>>, code: string) => {
    expect(response.status).toBe(400);
    expect(errorCodes(response.body)).toContain(code);
    expect(response.body.data).toBeUndefined();
  };

  it('a whole 5-level tree with each setting origin passes every limit', async () => {
    // Arrange
    const query = `{ accountTree { children { nodes { children { nodes { children { nodes { children { nodes { children { nodes { settings { origin(key: TIMEZONE) { sourceAccount { name } } } } } } } } } } } } } } }`;

    // Act
    const response = await run(query, {});

    // Assert
    expectPasses(response);
    expect(response.body.data.accountTree.length).toBeGreaterThan(0);
  });

  it(`depth ${OPERATION_LIMITS.maxDepth} passes, ${OPERATION_LIMITS.maxDepth + 1} is refused with QUERY_TOO_DEEP`, async () => {
    // Act
    const atLimit = await run(`query Deep($id: ID!) { ${parentChain(OPERATION_LIMITS.maxDepth)} }`);
    const overLimit = await run(`query Deep($id: ID!) { ${parentChain(OPERATION_LIMITS.maxDepth + 1)} }`);

    // Assert
    expectPasses(atLimit);
    expectRefused(overLimit, 'QUERY_TOO_DEEP');
    expect(overLimit.body.errors[0].extensions).toMatchObject({ limit: OPERATION_LIMITS.maxDepth, actual: OPERATION_LIMITS.maxDepth + 1 });
  });

  it.each([
    ['an operation named __schema', `query __schema($id: ID!) { ${parentChain(OPERATION_LIMITS.maxDepth + 1)} }`],
    ['a root field aliased __schema', `query($id: ID!) { __schema: ${parentChain(OPERATION_LIMITS.maxDepth + 1)} }`],
    ['a fragment named __schema', `query($id: ID!) { account(id: $id) { ...__schema } } fragment __schema on Account { ${'parent { '.repeat(OPERATION_LIMITS.maxDepth - 1)}id${' }'.repeat(OPERATION_LIMITS.maxDepth - 1)} }`],
    [
      'a fragment reused first shallow then deep',
      `query($id: ID!) { account(id: $id) { ...Up parent { parent { parent { parent { parent { parent { parent { parent { parent { ...Up } } } } } } } } } } }
       fragment Up on Account { parent { parent { id } } }`,
    ],
    // __schema types fields type = 4, each ofType 1, name 1: one level beyond the introspection limit
    ['introspection fields', `{ __schema { types { fields { type { ${'ofType { '.repeat(OPERATION_LIMITS.maxIntrospectionDepth - 4)}name${' }'.repeat(OPERATION_LIMITS.maxIntrospectionDepth - 4)} } } } } }`],
    ['introspection beside a normal root field', `query($id: ID!) { __typename ${parentChain(OPERATION_LIMITS.maxDepth + 1)} }`],
    ['introspection aliases over a deep field', `query($id: ID!) { __type: ${parentChain(OPERATION_LIMITS.maxDepth + 1)} }`],
  ])('the depth limit holds through %s', async (_name, query) => {
    // Act
    const response = await run(query);

    // Assert
    expectRefused(response, 'QUERY_TOO_DEEP');
  });

  it('the standard introspection query of GraphiQL and codegen passes where introspection is on (development)', async () => {
    // Act
    const response = await run(getIntrospectionQuery(), {});

    // Assert
    expectPasses(response);
    expect(response.body.data.__schema.queryType.name).toBe('Query');
  });

  it(`${OPERATION_LIMITS.maxAliases} aliases pass, ${OPERATION_LIMITS.maxAliases + 1} are refused with TOO_MANY_ALIASES`, async () => {
    // Arrange
    const aliases = (n: number) => Array.from({ length: n }, (_, i) => `a${i}: __typename`).join(' ');

    // Act
    const atLimit = await run(`{ ${aliases(OPERATION_LIMITS.maxAliases)} }`, {});
    const overLimit = await run(`{ ${aliases(OPERATION_LIMITS.maxAliases + 1)} }`, {});

    // Assert
    expectPasses(atLimit);
    expectRefused(overLimit, 'TOO_MANY_ALIASES');
  });

  it('aliases inside a fragment count every time the fragment is used', async () => {
    // Arrange: 10 aliases × 4 uses = 40
    const fragment = `fragment Many on Query { ${Array.from({ length: 10 }, (_, i) => `b${i}: __typename`).join(' ')} }`;

    // Act
    const response = await run(`{ ...Many ... on Query { ...Many } ... on Query { ...Many } ... on Query { ...Many } } ${fragment}`, {});

    // Assert
    expectRefused(response, 'TOO_MANY_ALIASES');
  });

  it(`${OPERATION_LIMITS.maxDirectives} directives pass, ${OPERATION_LIMITS.maxDirectives + 1} are refused with TOO_MANY_DIRECTIVES`, async () => {
    // Arrange
    const directives = (n: number) => Array.from({ length: n }, () => '__typename @include(if: true)').join(' ');

    // Act
    const atLimit = await run(`{ ${directives(OPERATION_LIMITS.maxDirectives)} }`, {});
    const overLimit = await run(`{ ${directives(OPERATION_LIMITS.maxDirectives + 1)} }`, {});

    // Assert
    expectPasses(atLimit);
    expectRefused(overLimit, 'TOO_MANY_DIRECTIVES');
  });

  it(`${OPERATION_LIMITS.maxTokens} tokens pass, ${OPERATION_LIMITS.maxTokens + 1} are refused with TOO_MANY_TOKENS`, async () => {
    // Arrange: a list literal of n strings is n tokens (repeated fields would trip graphql-js's own overlap budget)
    const withKeywords = (n: number) =>
      `mutation { updateAccountSettings(id: "00000000-0000-4000-a000-000000000000", input: { optOutKeywords: [${' "STOP"'.repeat(n)} ] }) { id } }`;
    const fixedTokens = countTokens(withKeywords(0));
    const atLimitQuery = withKeywords(OPERATION_LIMITS.maxTokens - fixedTokens);
    const overLimitQuery = withKeywords(OPERATION_LIMITS.maxTokens - fixedTokens + 1);
    expect(countTokens(atLimitQuery)).toBe(OPERATION_LIMITS.maxTokens);

    // Act
    const atLimit = await run(atLimitQuery, {});
    const overLimit = await run(overLimitQuery, {});

    // Assert: the allowed one reaches the subgraph (which does not find the account)
    expect(errorCodes(atLimit.body)).toEqual(['NOT_FOUND']);
    expectRefused(overLimit, 'TOO_MANY_TOKENS');
  });

  it(`cost ${OPERATION_LIMITS.maxCost} passes, ${OPERATION_LIMITS.maxCost + 1} is refused with QUERY_TOO_COSTLY`, async () => {
    // Arrange: account (1) + descendants (1) + its nodes (1 + first × id)
    const query = (first: number) => `query($id: ID!) { account(id: $id) { descendants(first: ${first}) { nodes { id } } } }`;

    // Act
    const atLimit = await run(query(OPERATION_LIMITS.maxCost - 3));
    const overLimit = await run(query(OPERATION_LIMITS.maxCost - 2));

    // Assert
    expect(errorCodes(atLimit.body).filter((code) => LIMIT_CODES.includes(code!))).toEqual([]);
    expectRefused(overLimit, 'QUERY_TOO_COSTLY');
  });

  it("a connection's first multiplies its edges and nodes, and edges { node } and nodes add no depth (issue 14)", async () => {
    // Arrange: accounts (1) + edges (1 + first × node (1 + children (1 + nodes (1 + 100 × id)))) = 2 + first × 103
    const query = (first: number) => `{ accounts(first: ${first}) { edges { node { children(first: 100) { nodes { id } } } } } }`;
    // 11 levels of accounts below a root, each a connection read through nodes: as deep as the same chain of plain fields
    const deep = (levels: number) => `{ accounts(first: 1) { nodes { ${'children(first: 1) { nodes { '.repeat(levels)}id${' } }'.repeat(levels)} } } }`;

    // Act
    const atLimit = await run(query(48)); // 4,946
    const overLimit = await run(query(49)); // 5,049
    const deepest = await run(deep(OPERATION_LIMITS.maxDepth - 2));
    const tooDeep = await run(deep(OPERATION_LIMITS.maxDepth - 1));

    // Assert
    expect(errorCodes(atLimit.body).filter((code) => LIMIT_CODES.includes(code!))).toEqual([]);
    expectRefused(overLimit, 'QUERY_TOO_COSTLY');
    expect(errorCodes(deepest.body).filter((code) => LIMIT_CODES.includes(code!))).toEqual([]);
    expectRefused(tooDeep, 'QUERY_TOO_DEEP');
  });

  it('a page size given by a variable is costed as a large page', async () => {
    // Act: 1 + 1 + (1 + 100 × 161) = 16,103 although $n is 1 (each children { nodes } level: 1 + 1 + 3 × the level below)
    const response = await run(
      `query($id: ID!, $n: Int) { account(id: $id) { descendants(first: $n) { nodes { children { nodes { children { nodes { children { nodes { children { nodes { id } } } } } } } } } } } }`,
      { id, n: 1 },
    );

    // Assert
    expectRefused(response, 'QUERY_TOO_COSTLY');
  });

  it('JSON-array batching is refused with BAD_REQUEST', async () => {
    // Act
    const response = await request(stack.gatewayUrl, { body: [{ query: '{ __typename }' }, { query: '{ __typename }' }] });

    // Assert
    expect(response.status).toBe(400);
    expect(errorCodes(response.body)).toEqual(['BAD_REQUEST']);
  });

  it('a body at the size limit passes, one byte more is refused with PAYLOAD_TOO_LARGE', async () => {
    // Arrange
    const limit = stack.config.gateway.maxBodyBytes;
    const exactly = JSON.stringify({ query: '{ __typename }', variables: { pad: '' } });
    const padding = 'x'.repeat(limit - exactly.length);
    const atLimit = JSON.stringify({ query: '{ __typename }', variables: { pad: padding } });
    expect(Buffer.byteLength(atLimit)).toBe(limit);

    // Act
    const accepted = await request(stack.gatewayUrl, { rawBody: atLimit });
    const refused = await request(stack.gatewayUrl, { rawBody: JSON.stringify({ query: '{ __typename }', variables: { pad: `${padding}x` } }) });

    // Assert
    expect(accepted.status).toBe(200);
    expect(refused.status).toBe(413);
    expect(errorCodes(refused.body)).toEqual(['PAYLOAD_TOO_LARGE']);
  });
});

describe('production mode hides the schema and stack traces (SPEC G4)', () => {
  let production: TestStack;
  let development: TestStack;

  beforeAll(async () => {
    production = await startTestStack({ env: { NODE_ENV: 'production', INTERNAL_SIGNING_SECRET: 'p'.repeat(40), WEBHOOK_ENCRYPTION_KEY: 'k'.repeat(40), REDIS_URL: '', ...principalKeyEnvironment() } });
    development = await startTestStack({ env: { NODE_ENV: 'development', LOG_LEVEL: 'silent' } });
  });
  afterAll(async () => {
    await production?.close();
    await development?.close();
  });

  it('introspection is refused in production and answered in development', async () => {
    // Act
    const refused = await request(production.gatewayUrl, { body: { query: '{ __schema { queryType { name } } }' } });
    const answered = await request(development.gatewayUrl, { body: { query: '{ __schema { queryType { name } } }' } });

    // Assert
    expect(errorCodes(refused.body)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(refused.body.data).toBeUndefined();
    expect(answered.body.data.__schema.queryType.name).toBe('Query');
  });

  it('production gives no "did you mean" suggestion and no stack trace', async () => {
    // Act
    const inProduction = await request(production.gatewayUrl, { body: { query: '{ accountTre { id } }' } });
    const inDevelopment = await request(development.gatewayUrl, { body: { query: '{ accountTre { id } }' } });

    // Assert
    expect(errorCodes(inProduction.body)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
    expect(JSON.stringify(inProduction.body)).not.toMatch(/Did you mean|accountTree|stacktrace/);
    expect(JSON.stringify(inDevelopment.body)).toMatch(/Did you mean/);
    expect(JSON.stringify(inDevelopment.body)).toMatch(/stacktrace/);
  });

  it('every error of a refused request in production carries a code and no stack trace', async () => {
    // Act
    const responses = await Promise.all([
      request(production.gatewayUrl, { rawBody: '{not json' }),
      request(production.gatewayUrl, { body: { query: '{ account(id: "x") { id } }' } }),
      request(production.gatewayUrl, { body: { query: '{' } }),
      request(production.gatewayUrl, { body: { query: '{ me { user { id } } }' }, headers: { authorization: 'Bearer ses_unknown' } }),
    ]);

    // Assert
    for (const response of responses) {
      expect(response.body.errors.length).toBeGreaterThan(0);
      for (const error of response.body.errors) expect(typeof error.extensions?.code).toBe('string');
      expect(JSON.stringify(response.body)).not.toMatch(/stacktrace|\.ts:\d+|at .*\(/);
    }
  });
});

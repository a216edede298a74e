import { demoAccount } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { sha256 } from './extra-gateway';
import { errorCodes, request, withGraphQLParams } from './http-client';


// Starting a stack migrates a throwaway database; with suites in parallel that can exceed jest's 5 s default.
jest.setTimeout(30_000);
describe('automatic persisted queries (SPEC G3), in memory', () => {
  let stack: TestStack;
  let token: string;
  const query = 'query Names($id: ID!) { account(id: $id) { id name } }';
  const variables = { id: demoAccount('north').id };
  const persistedQuery = { version: 1, sha256Hash: sha256(query) };

  beforeAll(async () => {
    stack = await startTestStack({ env: { REDIS_URL: '' } });
    token = await stack.login('hq.admin@retail.example');
  });
  afterAll(() => stack.close());

  const auth = () => ({ authorization: `Bearer ${token}` });

  it('an unknown hash answers PERSISTED_QUERY_NOT_FOUND, so the client resends with the text', async () => {
    // Act
    const response = await request(stack.gatewayUrl, { body: { variables, extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ me { user { id } } }') } } }, headers: auth() });

    // Assert
    expect(errorCodes(response.body)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
  });

  it('once registered with its text, the hash alone runs the query, over POST and GET', async () => {
    // Arrange
    const registered = await request(stack.gatewayUrl, { body: { query, variables, extensions: { persistedQuery } }, headers: auth() });

    // Act
    const byPost = await request(stack.gatewayUrl, { body: { variables, extensions: { persistedQuery } }, headers: auth() });
    const byGet = await request(withGraphQLParams(stack.gatewayUrl, { variables, extensions: { persistedQuery } }), {
      headers: { ...auth(), 'apollo-require-preflight': 'true' },
    });

    // Assert
    expect(registered.body.data.account.name).toBe('North Region');
    expect(byPost.body).toEqual(registered.body);
    expect(byGet.status).toBe(200);
    expect(byGet.body).toEqual(registered.body);
  });

  it('a hash that does not match the text is refused', async () => {
    // Act
    const response = await request(stack.gatewayUrl, { body: { query, variables, extensions: { persistedQuery: { version: 1, sha256Hash: sha256('other') } } }, headers: auth() });

    // Assert
    expect(response.status).toBe(400);
    expect(response.body.data).toBeUndefined();
  });

  it('a mutation over GET is refused with 405 and nothing is written', async () => {
    // Arrange
    const mutation = 'mutation { updateAccountSettings(id: "' + demoAccount('north').id + '", input: { timezone: "Asia/Tokyo" }) { id } }';

    // Act
    const response = await request(withGraphQLParams(stack.gatewayUrl, { query: mutation }), { headers: { ...auth(), 'apollo-require-preflight': 'true' } });

    // Assert
    expect(response.status).toBe(405);
    expect(errorCodes(response.body)).toEqual(['BAD_REQUEST']);
    const stored = await stack.sql.query(`SELECT count(*)::int AS n FROM hierarchy.account_settings WHERE overrides->>'timezone' = 'Asia/Tokyo'`);
    expect(stored.rows[0].n).toBe(0);
  });

  it('a GET without a preflight-forcing header is refused (CSRF protection)', async () => {
    // Act
    const response = await request(withGraphQLParams(stack.gatewayUrl, { query: '{ __typename }' }));

    // Assert
    expect(response.status).toBe(400);
    expect(errorCodes(response.body)).toEqual(['BAD_REQUEST']);
  });
});

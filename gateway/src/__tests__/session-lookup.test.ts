import { hashSecret } from '@platform/authz';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { errorCodes, request } from './http-client';

/**
 * The gateway looks the bearer session up while it reads the request's body (issue 17): the lookup
 * is still made for every request, and a body it refuses is still refused as such.
 */
describe("the gateway's session lookup beside the body", () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.close());

  const query = { query: '{ accountTree { id } }' };

  it('a session revoked between two requests is refused at the second', async () => {
    // Arrange
    const token = await stack.login('hq.admin@retail.example');
    const before = await request(stack.gatewayUrl, { body: query, headers: { authorization: `Bearer ${token}` } });

    // Act
    await stack.sql.query('UPDATE identity.sessions SET revoked_at = now() WHERE token_hash = $1', [hashSecret(token)]);
    const after = await request(stack.gatewayUrl, { body: query, headers: { authorization: `Bearer ${token}` } });

    // Assert
    expect(before.status).toBe(200);
    expect(before.body.data.accountTree.length).toBeGreaterThan(0);
    expect(after.status).toBe(401);
    expect(errorCodes(after.body)).toEqual(['UNAUTHENTICATED']);
    expect(after.body.data).toBeUndefined();
  });

  it.each([
    ['a session token', async () => `Bearer ${await stack.login('hq.admin@retail.example')}`],
    ['an unknown session token', async () => 'Bearer ses_unknown'],
    ['a malformed Authorization header', async () => 'Basic dXNlcjpwYXNz'],
  ])('a body the gateway refuses (not JSON, batched, too large) keeps its own refusal whatever the credential (%s)', async (_credential, authorization) => {
    // Arrange
    const headers = { authorization: await authorization() };

    // Act
    const notJson = await request(stack.gatewayUrl, { rawBody: '{"query": "{ accountTree { id } }"', headers });
    const batched = await request(stack.gatewayUrl, { body: [query], headers });
    const tooLarge = await request(stack.gatewayUrl, { rawBody: JSON.stringify({ query: `{ accountTree { id } } #${'x'.repeat(stack.config.gateway.maxBodyBytes)}` }), headers });

    // Assert
    expect([notJson.status, batched.status, tooLarge.status]).toEqual([400, 400, 413]);
    expect(notJson.body.errors[0]).toEqual({ message: 'Body is not valid JSON', extensions: { code: 'BAD_REQUEST' } });
    expect(errorCodes(batched.body)).toEqual(['BAD_REQUEST']);
    expect(errorCodes(tooLarge.body)).toEqual(['PAYLOAD_TOO_LARGE']);
  });

  it('a well-formed request with an unknown session is refused UNAUTHENTICATED, and the gateway serves the next one', async () => {
    // Arrange
    const token = await stack.login('hq.admin@retail.example');

    // Act
    const refused = await request(stack.gatewayUrl, { body: query, headers: { authorization: 'Bearer ses_unknown' } });
    const next = await request(stack.gatewayUrl, { body: query, headers: { authorization: `Bearer ${token}` } });

    // Assert
    expect(refused.status).toBe(401);
    expect(errorCodes(refused.body)).toEqual(['UNAUTHENTICATED']);
    expect(next.status).toBe(200);
    expect(next.body.data.accountTree.length).toBeGreaterThan(0);
  });
});

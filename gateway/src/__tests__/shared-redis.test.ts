import { startTestStack, type TestStack } from '@platform/platform/testing';
import { randomRedisPrefix, reachableRedisUrl, sha256, startExtraGateway, type ExtraGateway } from './extra-gateway';
import { errorCodes, request } from './http-client';


// Starting a stack migrates a throwaway database; with suites in parallel that can exceed jest's 5 s default.
jest.setTimeout(30_000);
describe('two gateways sharing one Redis (SPEC G3, G4)', () => {
  let stack: TestStack;
  let redisUrl: string;
  const gateways: ExtraGateway[] = [];

  beforeAll(async () => {
    redisUrl = await reachableRedisUrl();
    stack = await startTestStack({ env: { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: randomRedisPrefix() } });
  });
  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
    await stack?.close();
  });

  const twoGateways = async (overrides: Partial<TestStack['config']['gateway']> = {}) => {
    const config = { ...stack.config, redisUrl, redisKeyPrefix: randomRedisPrefix(), gateway: { ...stack.config.gateway, ...overrides } };
    const pair = [await startExtraGateway(stack, config), await startExtraGateway(stack, config)];
    gateways.push(...pair);
    return pair;
  };

  it('a query registered on one gateway is served by hash on the other', async () => {
    // Arrange
    const [first, second] = await twoGateways();
    const query = `query Shared { __typename }`;
    const persistedQuery = { version: 1, sha256Hash: sha256(query) };
    const unknownBefore = await request(second.url, { body: { extensions: { persistedQuery } } });
    await request(first.url, { body: { query, extensions: { persistedQuery } } });

    // Act
    const served = await request(second.url, { body: { extensions: { persistedQuery } } });

    // Assert
    expect(errorCodes(unknownBefore.body)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expect(served.status).toBe(200);
    expect(served.body).toEqual({ data: { __typename: 'Query' } });
  });

  it('a per-address rate limit holds across both gateways, answering 429 with Retry-After', async () => {
    // Arrange
    const [first, second] = await twoGateways({ rateLimitPerIp: 4, rateLimitWindowSeconds: 600 });
    const statuses: number[] = [];
    for (const gateway of [first, second, first, second]) {
      statuses.push((await request(gateway.url, { body: { query: '{ __typename }' } })).status);
    }

    // Act
    const refusedByFirst = await request(first.url, { body: { query: '{ __typename }' } });
    const refusedBySecond = await request(second.url, { body: { query: '{ __typename }' } });

    // Assert
    expect(statuses).toEqual([200, 200, 200, 200]);
    for (const refused of [refusedByFirst, refusedBySecond]) {
      expect(refused.status).toBe(429);
      expect(errorCodes(refused.body)).toEqual(['RATE_LIMITED']);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(600);
    }
  });
});

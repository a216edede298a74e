import crypto from 'node:crypto';
import { demoUser, DEMO_PASSWORD } from '@platform/demo-data';
import { createLogger, startSubgraph, type RunningServer } from '@platform/server';
import { SUBGRAPHS } from '@platform/platform';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { postGraphQL, type GraphQLResponse } from '@platform/testing';
import { randomRedisPrefix, reachableRedisUrl, startExtraGateway, type ExtraGateway } from '../../../../../gateway/src/__tests__/extra-gateway';
import { LOGIN_THROTTLE } from '../login-throttle';
import { codeOf } from '../../__tests__/helpers';

const LOGIN = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`;
const ACCEPT = `mutation($t: String!) { acceptInvitation(token: $t, name: "X", password: "a long enough password") { token } }`;
const SSO = `mutation($t: String!, $s: String!) { loginWithSso(idToken: $t, state: $s) { token } }`;

/** A client address no other test uses (the gateway trusts X-Forwarded-For in these stacks). */
let addresses = 0;
const newAddress = () => `10.${Math.floor(addresses / 250)}.${(addresses++ % 250) + 1}.7`;

describe('failed sign-ins are throttled per email and address (SPEC I1, G4)', () => {
  let stack: TestStack;
  const from = (url: string, address: string) => (query: string, variables: Record<string, unknown>) =>
    postGraphQL<any>(url, { query, variables }, { 'x-forwarded-for': address }); // eslint-disable-line @typescript-eslint/no-explicit-any
  const login = (address: string, email: string, password: string) => from(stack.gatewayUrl, address)(LOGIN, { e: email, p: password });

  beforeAll(async () => {
    stack = await startTestStack({ env: { TRUST_PROXY: 'true', REDIS_URL: '' } });
  });
  afterAll(() => stack.close());

  it('holds a right password back after repeated wrong ones from that address (RATE_LIMITED with retryAfterSeconds), for a bounded time', async () => {
    // Arrange
    const address = newAddress();
    const email = demoUser('n1-advanced').email;
    const wrong: GraphQLResponse[] = [];
    for (let i = 0; i <= LOGIN_THROTTLE.free.emailAddress; i++) wrong.push(await login(address, email, `wrong password ${i}`));

    // Act
    const right = await login(address, email, DEMO_PASSWORD);
    const otherAddress = await login(newAddress(), email, DEMO_PASSWORD);
    const retryAfter = Number(right.errors?.[0].extensions?.retryAfterSeconds);
    await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000 + 200));
    const afterWaiting = await login(address, email, DEMO_PASSWORD);

    // Assert
    expect(wrong.map(codeOf)).toEqual(wrong.map(() => 'UNAUTHENTICATED'));
    expect(codeOf(right)).toBe('RATE_LIMITED');
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(2);
    expect(otherAddress.data?.login.token).toMatch(/^ses_/);
    expect(afterWaiting.data?.login.token).toMatch(/^ses_/);
  });

  it('checks the free attempts plus one of 40 parallel guesses, and one more at most per backoff the burst outlasts', async () => {
    // Arrange
    const address = newAddress();
    const email = demoUser('n1-marketing').email;

    // Act
    const started = Date.now();
    const outcomes = await Promise.all(Array.from({ length: 40 }, (_, i) => login(address, email, `parallel guess ${i}`)));
    const elapsedMs = Date.now() - started;

    // Assert: one guess past the free ones, and at most one more per first backoff (2 s) the burst
    // outlasted (a loaded machine may take longer than that to answer 40 requests)
    const checked = outcomes.filter((o) => codeOf(o) === 'UNAUTHENTICATED').length;
    expect(checked).toBeGreaterThanOrEqual(LOGIN_THROTTLE.free.emailAddress + 1);
    expect(checked).toBeLessThanOrEqual(LOGIN_THROTTLE.free.emailAddress + 1 + Math.floor(elapsedMs / 2_000));
    expect(outcomes.filter((o) => codeOf(o) === 'RATE_LIMITED')).toHaveLength(40 - checked);
  });

  it('guesses on one email from many addresses lock it for the addresses that failed, never for one that has not', async () => {
    // Arrange: one failure from each of free.email + 1 addresses
    const email = demoUser('accountant').email;
    const addresses = Array.from({ length: LOGIN_THROTTLE.free.email + 1 }, newAddress);
    const first = await Promise.all(addresses.map((address) => login(address, email, 'distributed guess')));

    // Act
    const secondGuess = await login(addresses[0], email, 'distributed guess 2');
    const rightFromFailedAddress = await login(addresses[1], email, DEMO_PASSWORD);
    const rightFromCleanAddress = await login(newAddress(), email, DEMO_PASSWORD);

    // Assert
    expect(first.map(codeOf)).toEqual(addresses.map(() => 'UNAUTHENTICATED'));
    expect(codeOf(secondGuess)).toBe('UNAUTHENTICATED');
    expect(codeOf(rightFromFailedAddress)).toBe('RATE_LIMITED');
    expect(rightFromCleanAddress.data?.login.token).toMatch(/^ses_/);
  });

  it('counts failed invitation acceptances and SSO sign-ins of an address with its failed logins, the same for any email', async () => {
    // Arrange
    const address = newAddress();
    const call = from(stack.gatewayUrl, address);
    const half = Math.ceil(LOGIN_THROTTLE.free.address / 2);
    const tokens = await Promise.all(Array.from({ length: half }, () => call(ACCEPT, { t: `inv_${crypto.randomBytes(32).toString('hex').slice(0, 43)}` })));
    const states = await Promise.all(Array.from({ length: LOGIN_THROTTLE.free.address - half + 1 }, () => call(SSO, { t: 'not.a.jwt', s: `sso_${'B'.repeat(43)}` })));

    // Act
    const knownUser = await login(address, demoUser('north-admin').email, DEMO_PASSWORD);
    const unknownUser = await login(address, 'nobody.at.all@retail.example', DEMO_PASSWORD);
    const elsewhere = await login(newAddress(), demoUser('north-admin').email, DEMO_PASSWORD);

    // Assert
    expect(tokens.every((r) => codeOf(r) === 'INVALID_TOKEN')).toBe(true);
    expect(states.every((r) => codeOf(r) === 'SSO_STATE_INVALID')).toBe(true);
    expect(codeOf(knownUser)).toBe('RATE_LIMITED');
    expect(codeOf(unknownUser)).toBe('RATE_LIMITED');
    expect(knownUser.errors?.[0].message).toBe(unknownUser.errors?.[0].message);
    expect(elsewhere.data?.login.token).toMatch(/^ses_/);
  });
});

describe('the failed sign-in counters are shared by every identity server through Redis', () => {
  let stack: TestStack;
  let secondIdentity: RunningServer;
  let secondGateway: ExtraGateway;
  let closeSecondPool: () => Promise<void>;

  beforeAll(async () => {
    const redisUrl = await reachableRedisUrl();
    stack = await startTestStack({ env: { TRUST_PROXY: 'true', REDIS_URL: redisUrl, REDIS_KEY_PREFIX: randomRedisPrefix() } });
    const dataSource = SUBGRAPHS.identity.createDataSource(stack.database.url, { poolSize: 2 });
    await dataSource.initialize();
    closeSecondPool = () => dataSource.destroy();
    secondIdentity = await startSubgraph(SUBGRAPHS.identity, { config: stack.config, dataSource, port: 0, logger: createLogger('identity', 'silent') });
    secondGateway = await startExtraGateway(stack, stack.config, { subgraphUrls: { ...stack.subgraphUrls, identity: secondIdentity.url } });
  });
  afterAll(async () => {
    await secondGateway?.close();
    await secondIdentity?.close();
    await closeSecondPool?.();
    await stack?.close();
  });

  it('wrong passwords through one gateway and identity server hold back the right one through another', async () => {
    // Arrange
    const address = newAddress();
    const email = demoUser('north-admin').email;
    const via = (url: string, password: string) => postGraphQL<any>(url, { query: LOGIN, variables: { e: email, p: password } }, { 'x-forwarded-for': address }); // eslint-disable-line @typescript-eslint/no-explicit-any
    for (let i = 0; i <= LOGIN_THROTTLE.free.emailAddress; i++) await via(stack.gatewayUrl, `wrong ${i}`);

    // Act
    const right = await via(secondGateway.url, DEMO_PASSWORD);

    // Assert
    expect(codeOf(right)).toBe('RATE_LIMITED');
    expect(Number(right.errors?.[0].extensions?.retryAfterSeconds)).toBeGreaterThanOrEqual(1);
  });
});

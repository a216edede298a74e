import { signPrincipal, PRINCIPAL_HEADER, type Principal } from '@platform/authz';
import { SUBGRAPH_NAMES } from '@platform/config';
import { demoAccount, demoUser } from '@platform/demo-data';
import { postGraphQL, startTestStack, type TestStack } from '@platform/testing';

describe('subgraphs reject requests without a valid principal signature (SPEC G2)', () => {
  let stack: TestStack;
  const hqAdmin: Principal = { kind: 'USER', id: demoUser('hq-admin').id, actingAccountId: demoAccount('hq').id, sessionId: null };

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  const entitiesQuery = {
    query: 'query($r: [_Any!]!) { _entities(representations: $r) { __typename } }',
    variables: { r: [{ __typename: 'Account', id: demoAccount('hq').id }] },
  };
  const serviceQuery = { query: '{ _service { sdl } }' };

  const badHeaders = (secret: string): [string, Record<string, string>][] => [
    ['no header', {}],
    ['a malformed header', { [PRINCIPAL_HEADER]: 'not-a-signature' }],
    ['a header signed with another key', { [PRINCIPAL_HEADER]: signPrincipal(hqAdmin, 'x'.repeat(40), 60) }],
    ['an expired header', { [PRINCIPAL_HEADER]: signPrincipal(hqAdmin, secret, 60, Date.now() - 120_000) }],
    [
      'a header whose payload was altered',
      {
        [PRINCIPAL_HEADER]: (() => {
          const [version, , mac] = signPrincipal(hqAdmin, secret, 60).split('.');
          const forged = Buffer.from(JSON.stringify({ k: 'USER', sub: demoUser('accountant').id, act: null, sid: null, iat: 0, exp: 9e9 })).toString('base64url');
          return `${version}.${forged}.${mac}`;
        })(),
      },
    ],
  ];

  it.each(SUBGRAPH_NAMES)('%s refuses _service and _entities without a valid signature', async (name) => {
    for (const [, headers] of badHeaders(stack.config.internalSigningSecret)) {
      for (const body of [serviceQuery, entitiesQuery]) {
        // Act
        const response = await postGraphQL(stack.subgraphUrls[name], body, headers);

        // Assert
        expect(response.status).toBe(401);
        expect(response.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
        expect(response.data).toBeUndefined();
      }
    }
  });

  it.each(SUBGRAPH_NAMES)('%s answers a correctly signed request', async (name) => {
    // Arrange
    const headers = { [PRINCIPAL_HEADER]: signPrincipal(hqAdmin, stack.config.internalSigningSecret, 60) };

    // Act
    const response = await postGraphQL<{ _service: { sdl: string } }>(stack.subgraphUrls[name], serviceQuery, headers);

    // Assert
    expect(response.status).toBe(200);
    expect(response.data?._service.sdl).toContain('Account');
  });

  it('the gateway refuses an unknown bearer token', async () => {
    const response = await stack.graphql('{ accountTree { id } }', {}, 'ses_doesnotexist');
    expect(response.status).toBe(401);
    expect(response.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});

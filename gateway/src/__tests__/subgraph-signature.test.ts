import { createHmac } from 'node:crypto';
import { GATEWAY_ISSUER, jose, PRINCIPAL_HEADER, PrincipalSigner, serviceIssuer, type Principal } from '@platform/authz';
import { generatePrincipalKeyPair, requirePrivateKey, SUBGRAPH_NAMES, type Ed25519Jwk, type SubgraphName } from '@platform/config';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { postGraphQL } from '@platform/testing';

/** A token with any claims and header, signed with any key: what an attacker holding that key could send. */
async function craftToken(key: Ed25519Jwk, claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  return new jose.SignJWT({ pk: 'USER', act: null, sid: null, iat: nowSeconds, exp: nowSeconds + 30, jti: crypto.randomUUID(), ...claims })
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, ...header })
    .sign(await jose.importJWK(key, 'EdDSA'));
}

/** The algorithm-confusion attack: HS256 keyed with the (public) key bytes. */
function hmacWithPublicKey(key: Ed25519Jwk, claims: Record<string, unknown>): string {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode({ alg: 'HS256', kid: key.kid })}.${encode({ pk: 'USER', iat: nowSeconds, exp: nowSeconds + 30, jti: crypto.randomUUID(), ...claims })}`;
  return `${signingInput}.${createHmac('sha256', Buffer.from(key.x, 'base64url')).update(signingInput).digest('base64url')}`;
}

describe('subgraphs accept only principal tokens the gateway (or a trusted service) signed for them (SPEC G2)', () => {
  let stack: TestStack;
  const hqAdmin: Principal = { kind: 'USER', id: demoUser('hq-admin').id, actingAccountId: demoAccount('hq').id, sessionId: null };
  const serviceQuery = { query: '{ _service { sdl } }' };
  const entitiesQuery = {
    query: 'query($r: [_Any!]!) { _entities(representations: $r) { __typename } }',
    variables: { r: [{ __typename: 'Account', id: demoAccount('hq').id }] },
  };
  let gatewayKey: Ed25519Jwk;
  let messagingKey: Ed25519Jwk;
  let gateway: PrincipalSigner;

  beforeAll(async () => {
    stack = await startTestStack();
    gatewayKey = requirePrivateKey(stack.config, 'gateway');
    messagingKey = requirePrivateKey(stack.config, 'messaging');
    gateway = await PrincipalSigner.create(gatewayKey, GATEWAY_ISSUER, 30);
  });
  afterAll(() => stack.close());

  const expectRefused = async (name: SubgraphName, headers: Record<string, string>) => {
    for (const body of [serviceQuery, entitiesQuery]) {
      // Act
      const response = await postGraphQL(stack.subgraphUrls[name], body, headers);

      // Assert
      expect(response.status).toBe(401);
      expect(response.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
      expect(response.data).toBeUndefined();
    }
  };

  it.each(SUBGRAPH_NAMES)('%s refuses missing, malformed, foreign, expired, misaddressed and altered tokens', async (name) => {
    // Arrange
    const stranger = generatePrincipalKeyPair().privateJwk;
    const impostor = { ...generatePrincipalKeyPair(gatewayKey.kid).privateJwk };
    const valid = await gateway.sign(hqAdmin, name);
    const [header, , signature] = valid.split('.');
    const forgedPayload = Buffer.from(JSON.stringify({ pk: 'USER', sub: demoUser('accountant').id, aud: name, iss: GATEWAY_ISSUER, exp: 9e9, iat: Math.floor(Date.now() / 1000), jti: 'x' })).toString('base64url');
    const cases: Record<string, string>[] = [
      {},
      { [PRINCIPAL_HEADER]: 'not-a-token' },
      { [PRINCIPAL_HEADER]: await craftToken(stranger, { iss: GATEWAY_ISSUER, aud: name, sub: hqAdmin.id }) },
      { [PRINCIPAL_HEADER]: await craftToken(impostor, { iss: GATEWAY_ISSUER, aud: name, sub: hqAdmin.id }) },
      { [PRINCIPAL_HEADER]: await (await PrincipalSigner.create(gatewayKey, GATEWAY_ISSUER, 30)).sign(hqAdmin, name, Date.now() - 120_000) },
      { [PRINCIPAL_HEADER]: await gateway.sign(hqAdmin, name === 'billing' ? 'identity' : 'billing') },
      { [PRINCIPAL_HEADER]: await craftToken(gatewayKey, { iss: GATEWAY_ISSUER, aud: name, sub: hqAdmin.id, exp: Math.floor(Date.now() / 1000) + 86_400 }) },
      { [PRINCIPAL_HEADER]: `${header}.${forgedPayload}.${signature}` },
      { [PRINCIPAL_HEADER]: hmacWithPublicKey(gatewayKey, { iss: GATEWAY_ISSUER, aud: name, sub: hqAdmin.id }) },
    ];

    for (const headers of cases) await expectRefused(name, headers);
  });

  it.each(SUBGRAPH_NAMES)('%s answers a token the gateway signed for it, once', async (name) => {
    // Arrange
    const headers = { [PRINCIPAL_HEADER]: await gateway.sign(hqAdmin, name) };

    // Act
    const first = await postGraphQL<{ _service: { sdl: string } }>(stack.subgraphUrls[name], serviceQuery, headers);
    const replay = await postGraphQL(stack.subgraphUrls[name], serviceQuery, headers);

    // Assert
    expect(first.status).toBe(200);
    expect(first.data?._service.sdl).toContain('Account');
    expect(replay.status).toBe(401);
    expect(replay.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('the gateway key cannot stand for a service, and a service key cannot stand for a user or another service', async () => {
    // Arrange
    const reserveQuery = { query: 'mutation { releaseCredit(reservationId: "00000000-0000-4000-8000-000000000000") { id } }' };
    const messaging = await PrincipalSigner.create(messagingKey, serviceIssuer('messaging'), 30);
    const gatewayAsService = await craftToken(gatewayKey, { iss: GATEWAY_ISSUER, aud: 'billing', pk: 'SERVICE', sub: 'messaging' });
    const gatewayAsServiceIssuer = await craftToken(gatewayKey, { iss: serviceIssuer('messaging'), aud: 'billing', pk: 'SERVICE', sub: 'messaging' });
    const serviceAsUser = await craftToken(messagingKey, { iss: serviceIssuer('messaging'), aud: 'billing', pk: 'USER', sub: hqAdmin.id, act: hqAdmin.actingAccountId });
    const serviceAsOtherService = await craftToken(messagingKey, { iss: serviceIssuer('messaging'), aud: 'billing', pk: 'SERVICE', sub: 'identity' });

    // Act
    const refused = await Promise.all(
      [gatewayAsService, gatewayAsServiceIssuer, serviceAsUser, serviceAsOtherService].map((token) => postGraphQL(stack.subgraphUrls.billing, reserveQuery, { [PRINCIPAL_HEADER]: token })),
    );
    const elsewhere = await postGraphQL(stack.subgraphUrls.identity, serviceQuery, { [PRINCIPAL_HEADER]: await messaging.sign({ kind: 'SERVICE', id: 'messaging', actingAccountId: null, sessionId: null }, 'identity') });
    const accepted = await postGraphQL<{ releaseCredit: unknown }>(stack.subgraphUrls.billing, reserveQuery, {
      [PRINCIPAL_HEADER]: await messaging.sign({ kind: 'SERVICE', id: 'messaging', actingAccountId: null, sessionId: null }, 'billing'),
    });

    // Assert
    for (const response of refused) {
      expect(response.status).toBe(401);
      expect(response.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    }
    expect(elsewhere.status).toBe(401);
    expect(accepted.status).toBe(200);
    expect(accepted.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    await expect(gateway.sign({ kind: 'SERVICE', id: 'messaging', actingAccountId: null, sessionId: null }, 'billing')).rejects.toThrow(/cannot sign a SERVICE principal/);
  });

  it('the gateway refuses an unknown bearer token', async () => {
    const response = await stack.graphql('{ accountTree { id } }', {}, 'ses_doesnotexist');
    expect(response.status).toBe(401);
    expect(response.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });
});

import { generatePrincipalKeyPair } from '@platform/config';
import { AppError } from '@platform/errors';
import { GATEWAY_ISSUER, PrincipalSigner, PrincipalVerifier, serviceIssuer, type Principal } from '../principal';

const user: Principal = { kind: 'USER', id: 'user-1', actingAccountId: '4b0c3c84-1e0f-4d3a-9d43-8f1f3b0a0c11', sessionId: 'session-1', requestId: 'req-1' };
const messagingService: Principal = { kind: 'SERVICE', id: 'messaging', actingAccountId: null, sessionId: null };

async function keysAndVerifier(options: { audience?: string; maxTtlSeconds?: number } = {}) {
  const gateway = generatePrincipalKeyPair();
  const messaging = generatePrincipalKeyPair();
  const verifier = await PrincipalVerifier.create({
    audience: options.audience ?? 'billing',
    gatewayPublicKeys: [gateway.publicJwk],
    servicePublicKeys: { messaging: [messaging.publicJwk] },
    maxTtlSeconds: options.maxTtlSeconds ?? 30,
  });
  return { gateway, messaging, verifier };
}

const refusalOf = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error);

describe('principal tokens (SPEC G2): what a subgraph accepts', () => {
  it('a gateway-signed customer principal for this subgraph comes back whole', async () => {
    // Arrange
    const { gateway, verifier } = await keysAndVerifier();
    const signer = await PrincipalSigner.create(gateway.privateJwk, GATEWAY_ISSUER, 30);

    // Act
    const principal = await verifier.verify(await signer.sign(user, 'billing'));

    // Assert
    expect(principal).toMatchObject({ kind: 'USER', id: 'user-1', actingAccountId: user.actingAccountId, sessionId: 'session-1', requestId: 'req-1' });
  });

  it.each([
    ['a token for another subgraph', async (k: Awaited<ReturnType<typeof keysAndVerifier>>) => (await PrincipalSigner.create(k.gateway.privateJwk, GATEWAY_ISSUER, 30)).sign(user, 'identity')],
    ['an expired token', async (k: Awaited<ReturnType<typeof keysAndVerifier>>) => (await PrincipalSigner.create(k.gateway.privateJwk, GATEWAY_ISSUER, 30)).sign(user, 'billing', Date.now() - 120_000)],
    ['a token living longer than the subgraph allows', async (k: Awaited<ReturnType<typeof keysAndVerifier>>) => (await PrincipalSigner.create(k.gateway.privateJwk, GATEWAY_ISSUER, 3600)).sign(user, 'billing')],
    ['a token of an unknown key', async () => (await PrincipalSigner.create(generatePrincipalKeyPair().privateJwk, GATEWAY_ISSUER, 30)).sign(user, 'billing')],
    ['a service token whose claims were altered to a customer', async (k: Awaited<ReturnType<typeof keysAndVerifier>>) => {
      // a signed SERVICE token with its claims rewritten by hand: the signature no longer holds
      const signer = await PrincipalSigner.create(k.messaging.privateJwk, serviceIssuer('messaging'), 30);
      const token = await signer.sign(messagingService, 'billing');
      const [header, , signature] = token.split('.');
      const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
      return [header, Buffer.from(JSON.stringify({ ...payload, pk: 'USER', sub: 'user-1' })).toString('base64url'), signature].join('.');
    }],
    ['no token', async () => undefined],
    ['a malformed token', async () => 'not-a-jwt'],
  ])('%s is refused as UNAUTHENTICATED', async (_case, makeToken) => {
    // Arrange
    const keys = await keysAndVerifier();
    const token = await makeToken(keys);

    // Act
    const refusal = await refusalOf(keys.verifier.verify(token));

    // Assert
    expect(refusal).toBeInstanceOf(AppError);
    expect((refusal as AppError).code).toBe('UNAUTHENTICATED');
  });

  it('each token is accepted once: a captured header replayed to the same subgraph is refused', async () => {
    // Arrange
    const { gateway, verifier } = await keysAndVerifier();
    const token = await (await PrincipalSigner.create(gateway.privateJwk, GATEWAY_ISSUER, 30)).sign(user, 'billing');
    await verifier.verify(token);

    // Act
    const replay = await refusalOf(verifier.verify(token));

    // Assert
    expect((replay as AppError).code).toBe('UNAUTHENTICATED');
  });

  it('a service key signs only SERVICE principals, and the gateway key never does', async () => {
    // Arrange
    const { gateway, messaging, verifier } = await keysAndVerifier();
    const serviceSigner = await PrincipalSigner.create(messaging.privateJwk, serviceIssuer('messaging'), 30);
    const gatewaySigner = await PrincipalSigner.create(gateway.privateJwk, GATEWAY_ISSUER, 30);

    // Act
    const service = await verifier.verify(await serviceSigner.sign(messagingService, 'billing'));
    const customerByServiceKey = await refusalOf(serviceSigner.sign(user, 'billing'));
    const serviceByGatewayKey = await refusalOf(gatewaySigner.sign(messagingService, 'billing'));

    // Assert
    expect(service).toMatchObject({ kind: 'SERVICE', id: 'messaging' });
    expect(customerByServiceKey).toBeInstanceOf(Error);
    expect(serviceByGatewayKey).toBeInstanceOf(Error);
  });

  it('a verifier refuses a public key as signing key and two keys sharing a kid', async () => {
    // Arrange
    const pair = generatePrincipalKeyPair();

    // Act
    const publicAsSigner = await refusalOf(PrincipalSigner.create(pair.publicJwk, GATEWAY_ISSUER, 30));
    const sharedKid = await refusalOf(PrincipalVerifier.create({ audience: 'billing', gatewayPublicKeys: [pair.publicJwk, pair.publicJwk], maxTtlSeconds: 30 }));

    // Assert
    expect((publicAsSigner as Error).message).toMatch(/private key/);
    expect((sharedKid as Error).message).toMatch(/share the kid/);
  });
});

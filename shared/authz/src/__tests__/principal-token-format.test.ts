import crypto from 'node:crypto';
import { generatePrincipalKeyPair, type Ed25519Jwk } from '@platform/config';
import { AppError } from '@platform/errors';
import { jose } from '../jose';
import { GATEWAY_ISSUER, PrincipalSigner, PrincipalVerifier, type Principal } from '../principal';

const user: Principal = { kind: 'USER', id: 'user-1', actingAccountId: 'account-1', sessionId: 'session-1', requestId: 'req-1' };
const nowSeconds = () => Math.floor(Date.now() / 1000);
const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token with any header and claims, signed (Ed25519) with any key: what a holder of that key could send. */
function handMade(key: Ed25519Jwk, header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const input = `${encode({ alg: 'EdDSA', kid: key.kid, ...header })}.${encode({ pk: 'USER', sub: 'user-1', iss: GATEWAY_ISSUER, aud: 'billing', iat: nowSeconds(), exp: nowSeconds() + 30, jti: crypto.randomUUID(), ...claims })}`;
  return `${input}.${crypto.sign(null, Buffer.from(input), crypto.createPrivateKey({ key: key as unknown as crypto.JsonWebKey, format: 'jwk' })).toString('base64url')}`;
}

async function setup() {
  const gateway = generatePrincipalKeyPair();
  const verifier = await PrincipalVerifier.create({ audience: 'billing', gatewayPublicKeys: [gateway.publicJwk], maxTtlSeconds: 30 });
  return { gateway, verifier };
}

const codeOf = (promise: Promise<unknown>) => promise.then(() => 'ACCEPTED', (error: unknown) => (error instanceof AppError ? error.code : String(error)));

describe('principal tokens are standard EdDSA JWTs, checked strictly', () => {
  it('a signed token verifies with jose, and a token jose signs verifies here', async () => {
    // Arrange
    const { gateway, verifier } = await setup();
    const signed = await (await PrincipalSigner.create(gateway.privateJwk, GATEWAY_ISSUER, 30)).sign(user, 'billing');
    const byJose = await new jose.SignJWT({ pk: 'USER', act: 'account-1', sid: null })
      .setProtectedHeader({ alg: 'EdDSA', kid: gateway.privateJwk.kid })
      .setIssuer(GATEWAY_ISSUER)
      .setAudience('billing')
      .setSubject('user-1')
      .setIssuedAt()
      .setExpirationTime('30s')
      .setJti(crypto.randomUUID())
      .sign(await jose.importJWK(gateway.privateJwk, 'EdDSA'));

    // Act
    const { payload, protectedHeader } = await jose.jwtVerify(signed, await jose.importJWK(gateway.publicJwk, 'EdDSA'), { issuer: GATEWAY_ISSUER, audience: 'billing', algorithms: ['EdDSA'] });
    const principal = await verifier.verify(byJose);

    // Assert
    expect(protectedHeader).toMatchObject({ alg: 'EdDSA', kid: gateway.privateJwk.kid, typ: 'platform-principal+jwt' });
    expect(payload).toMatchObject({ pk: 'USER', sub: 'user-1', act: 'account-1', sid: 'session-1', rid: 'req-1', iss: GATEWAY_ISSUER, aud: 'billing' });
    expect(payload.exp! - payload.iat!).toBe(30);
    expect(principal).toMatchObject({ kind: 'USER', id: 'user-1', actingAccountId: 'account-1' });
  });

  it('two tokens for the same principal and subgraph never share a jti', async () => {
    // Arrange
    const { gateway } = await setup();
    const signer = await PrincipalSigner.create(gateway.privateJwk, GATEWAY_ISSUER, 30);

    // Act
    const tokens = await Promise.all([signer.sign(user, 'billing'), signer.sign(user, 'billing')]);

    // Assert
    const [first, second] = tokens.map((token) => jose.decodeJwt(token).jti);
    expect(first).toEqual(expect.any(String));
    expect(first).not.toBe(second);
  });

  it.each([
    ['alg none', { alg: 'none' }, {}],
    ['a crit header', { crit: ['b64'], b64: false }, {}],
    ['an audience list', {}, { aud: ['billing'] }],
    ['another issuer', {}, { iss: 'service:messaging' }],
    ['no jti', {}, { jti: undefined }],
    ['no exp', {}, { exp: undefined }],
    ['a text exp', {}, { exp: String(nowSeconds() + 30) }],
    ['an iat in the future', {}, { iat: nowSeconds() + 60, exp: nowSeconds() + 70 }],
    ['an nbf in the future', {}, { nbf: nowSeconds() + 60 }],
    ['an iat older than the lifetime allowed', {}, { iat: nowSeconds() - 60, exp: nowSeconds() + 10 }],
  ])('a token with %s is refused as UNAUTHENTICATED', async (_case, header, claims) => {
    // Arrange
    const { gateway, verifier } = await setup();
    const token = handMade(gateway.privateJwk, header, claims);

    // Act
    const code = await codeOf(verifier.verify(token));

    // Assert
    expect(code).toBe('UNAUTHENTICATED');
  });

  it('a token with characters outside base64url or a truncated signature is refused', async () => {
    // Arrange
    const { gateway, verifier } = await setup();
    const valid = handMade(gateway.privateJwk, {}, {});
    const [header, payload, signature] = valid.split('.');

    // Act
    const codes = await Promise.all([`${header}.${payload}.${signature}=`, `${header}.${payload} .${signature}`, `${header}.${payload}.${signature.slice(0, -4)}`, `${header}.${payload}`].map((token) => codeOf(verifier.verify(token))));
    const validCode = await codeOf(verifier.verify(valid));

    // Assert
    expect(codes).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED', 'UNAUTHENTICATED']);
    expect(validCode).toBe('ACCEPTED');
  });
});

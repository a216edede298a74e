import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { jose } from '../jose';

/** A local OIDC issuer: discovery document and JWKS on port 0, keys made here. */
export async function startIssuer() {
  const { publicKey, privateKey } = await jose.generateKeyPair('RS256');
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const server = http.createServer((request, response) => {
    const body =
      request.url === '/.well-known/openid-configuration'
        ? { issuer, jwks_uri: `${issuer}/jwks` }
        : request.url === '/jwks'
          ? { keys: [jwk] }
          : null;
    response.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const sign = (claims: Record<string, unknown>, options: { key?: Awaited<ReturnType<typeof jose.generateKeyPair>>['privateKey']; audience?: string; expiresIn?: string | number } = {}) =>
    new jose.SignJWT({ email_verified: true, nonce: 'nonce-123456', ...claims })
      .setProtectedHeader({ alg: 'RS256', kid: 'test-key' })
      .setIssuer(issuer)
      .setAudience(options.audience ?? 'platform-client')
      .setSubject(String(claims.sub ?? 'subject-1'))
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '5m')
      .sign(options.key ?? privateKey);
  return { issuer, sign, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestStack } from '@platform/platform/testing';
import { jose } from '@platform/authz';

/** A local OIDC issuer: discovery document and JWKS on port 0, keys made here. */
export async function startIssuer() {
  const { publicKey, privateKey } = await jose.generateKeyPair('RS256');
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
  const server = http.createServer((request, response) => {
    const body =
      request.url === '/.well-known/openid-configuration'
        ? { issuer, jwks_uri: `${issuer}/jwks`, authorization_endpoint: `${issuer}/authorize` }
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

export const BEGIN_SSO = `mutation($e: String!, $r: String!) { beginSsoLogin(email: $e, redirectUri: $r) { authorizationUrl state expiresAt } }`;

/** beginSsoLogin through the gateway: the state to give back and the nonce the provider puts in the ID token. */
export async function beginSso(stack: TestStack, email: string): Promise<{ state: string; nonce: string; url: URL }> {
  const started = await stack.graphql(BEGIN_SSO, { e: email, r: 'https://app.example/sso/callback' });
  if (!started.data?.beginSsoLogin) throw new Error(`beginSsoLogin failed: ${JSON.stringify(started.errors)}`);
  const url = new URL(started.data.beginSsoLogin.authorizationUrl);
  return { state: started.data.beginSsoLogin.state, nonce: url.searchParams.get('nonce')!, url };
}

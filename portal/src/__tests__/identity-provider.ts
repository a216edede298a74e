import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { jose } from '@platform/authz';

/**
 * A minimal OpenID provider for the SSO journey: discovery, JWKS, and an authorization endpoint that signs
 * the `login_hint` in at once (response_type=id_token) and sends the browser back to `redirect_uri` with
 * `#id_token=…&state=…`, as a real provider does after its own sign-in page.
 */
export async function startIdentityProvider(): Promise<{ issuer: string; close(): Promise<void> }> {
  const { publicKey, privateKey } = await jose.generateKeyPair('RS256');
  const jwk = { ...(await jose.exportJWK(publicKey)), kid: 'portal-test', alg: 'RS256', use: 'sig' };
  let issuer = '';
  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', issuer);
    if (url.pathname === '/.well-known/openid-configuration') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks`, authorization_endpoint: `${issuer}/authorize` }));
    } else if (url.pathname === '/jwks') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    } else if (url.pathname === '/authorize') {
      const email = url.searchParams.get('login_hint')!;
      const idToken = await new jose.SignJWT({ email, email_verified: true, name: 'Sasha Sso', nonce: url.searchParams.get('nonce') })
        .setProtectedHeader({ alg: 'RS256', kid: 'portal-test' })
        .setIssuer(issuer)
        .setAudience(url.searchParams.get('client_id')!)
        .setSubject(`subject-${email}`)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(privateKey);
      const back = new URLSearchParams({ id_token: idToken, state: url.searchParams.get('state')! });
      response.writeHead(302, { location: `${url.searchParams.get('redirect_uri')}#${back}` }).end();
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { issuer, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/testing';
import { jose } from '../jose';
import { codeOf } from './helpers';

/** A local OIDC issuer: discovery document and JWKS on port 0, keys made here. */
async function startIssuer() {
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

const LOGIN = `mutation($t: String!, $n: String!) { loginWithSso(idToken: $t, nonce: $n) { token user { email } activeAccount { id } } }`;

describe('single sign-on with OIDC (SPEC I8)', () => {
  let stack: TestStack;
  let issuer: Awaited<ReturnType<typeof startIssuer>>;

  beforeAll(async () => {
    stack = await startTestStack({ env: { SSO_ALLOW_HTTP_ISSUERS: 'true' } });
    issuer = await startIssuer();
    const hqAdmin = await stack.login(demoUser('hq-admin').email);
    const configured = await stack.graphql(
      `mutation($a: ID!, $i: SsoConfigurationInput!) { configureSso(accountId: $a, input: $i) { issuer allowedDomains } }`,
      { a: demoAccount('north').id, i: { issuer: issuer.issuer, clientId: 'platform-client', allowedDomains: ['Retail.example'] } },
      hqAdmin,
    );
    if (configured.errors) throw new Error(JSON.stringify(configured.errors));
  });
  afterAll(async () => {
    await issuer.close();
    await stack.close();
  });

  it('creates a user from a verified email, then links the same user on the next sign-in', async () => {
    // Act
    const first = await stack.graphql(LOGIN, { t: await issuer.sign({ email: 'sso.person@retail.example', name: 'Sso Person', sub: 'sso-1' }), n: 'nonce-123456' });
    const again = await stack.graphql(LOGIN, { t: await issuer.sign({ email: 'sso.person@retail.example', sub: 'sso-1' }), n: 'nonce-123456' });
    const existing = await stack.graphql(LOGIN, { t: await issuer.sign({ email: demoUser('north-admin').email, sub: 'sso-2' }), n: 'nonce-123456' });
    const tree = await stack.graphql(`{ accountTree { id } }`, {}, first.data?.loginWithSso.token);

    // Assert
    expect(first.errors).toBeUndefined();
    expect(first.data.loginWithSso).toMatchObject({ user: { email: 'sso.person@retail.example' }, activeAccount: { id: demoAccount('north').id } });
    expect(again.errors).toBeUndefined();
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM identity.users WHERE email = 'sso.person@retail.example'`)).rows[0].n).toBe(1);
    expect(existing.data.loginWithSso.user.email).toBe(demoUser('north-admin').email);
    expect(tree.data.accountTree.map((a: { id: string }) => a.id)).toContain(demoAccount('store-n1').id);
    expect(tree.data.accountTree.map((a: { id: string }) => a.id)).not.toContain(demoAccount('south').id);
  });

  it('refuses a bad signature, a wrong audience, an expired token, a wrong nonce and a foreign domain', async () => {
    // Arrange
    const { privateKey: otherKey } = await jose.generateKeyPair('RS256');
    const usersBefore = (await stack.sql.query(`SELECT count(*)::int AS n FROM identity.users`)).rows[0].n;
    const claims = { email: 'someone@retail.example', sub: 'sso-9' };

    // Act
    const outcomes = await Promise.all([
      stack.graphql(LOGIN, { t: await issuer.sign(claims, { key: otherKey }), n: 'nonce-123456' }),
      stack.graphql(LOGIN, { t: await issuer.sign(claims, { audience: 'another-client' }), n: 'nonce-123456' }),
      stack.graphql(LOGIN, { t: await issuer.sign(claims, { expiresIn: Math.floor(Date.now() / 1000) - 120 }), n: 'nonce-123456' }),
      stack.graphql(LOGIN, { t: await issuer.sign(claims), n: 'another-nonce' }),
      stack.graphql(LOGIN, { t: await issuer.sign({ email: 'someone@acme.example', sub: 'sso-10' }), n: 'nonce-123456' }),
      stack.graphql(LOGIN, { t: await issuer.sign({ ...claims, email_verified: false }), n: 'nonce-123456' }),
      stack.graphql(LOGIN, { t: 'not.a.jwt', n: 'nonce-123456' }),
    ]);

    // Assert
    expect(outcomes.map(codeOf)).toEqual([
      'SSO_TOKEN_INVALID',
      'SSO_TOKEN_INVALID',
      'SSO_TOKEN_INVALID',
      'SSO_TOKEN_INVALID',
      'SSO_DOMAIN_NOT_ALLOWED',
      'SSO_TOKEN_INVALID',
      'SSO_TOKEN_INVALID',
    ]);
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM identity.users`)).rows[0].n).toBe(usersBefore);
  });

  it('keeps a domain in one tree', async () => {
    // Act
    const accountant = await stack.login(demoUser('accountant').email);
    const claimed = await stack.graphql(
      `mutation($a: ID!, $i: SsoConfigurationInput!) { configureSso(accountId: $a, input: $i) { issuer } }`,
      { a: demoAccount('acme').id, i: { issuer: issuer.issuer, clientId: 'acme-client', allowedDomains: ['retail.example'] } },
      accountant,
    );

    // Assert
    expect(codeOf(claimed)).toBe('ALREADY_EXISTS');
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM identity.sso_configurations WHERE account_id = $1`, [demoAccount('acme').id])).rows[0].n).toBe(0);
  });
});

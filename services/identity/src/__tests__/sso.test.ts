import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/testing';
import { jose } from '../jose';
import { codeOf } from './helpers';
import { startIssuer } from './oidc-issuer';

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

  it('signs in once per ID token: a replayed token is refused, and a refused sign-in does not use it up', async () => {
    // Arrange
    const token = await issuer.sign({ email: 'replay.person@retail.example', sub: 'sso-replay' });
    const sessionsBefore = (await stack.sql.query(`SELECT count(*)::int AS n FROM identity.sessions`)).rows[0].n;

    // Act
    const wrongNonce = await stack.graphql(LOGIN, { t: token, n: 'another-nonce' });
    const first = await stack.graphql(LOGIN, { t: token, n: 'nonce-123456' });
    const replayed = await stack.graphql(LOGIN, { t: token, n: 'nonce-123456' });

    // Assert
    expect(codeOf(wrongNonce)).toBe('SSO_TOKEN_INVALID');
    expect(first.data.loginWithSso.user.email).toBe('replay.person@retail.example');
    expect(codeOf(replayed)).toBe('SSO_TOKEN_INVALID');
    expect(replayed.errors?.[0].extensions?.reason).toBe('already used');
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM identity.sessions`)).rows[0].n).toBe(sessionsBefore + 1);
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

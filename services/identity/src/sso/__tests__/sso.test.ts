import { demoAccount, demoUser, DEMO_PASSWORD } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { jose } from '@platform/authz';
import { codeOf, countRows, invitationTokenFor } from '../../__tests__/helpers';
import { BEGIN_SSO, beginSso, startIssuer } from '../../__tests__/oidc-issuer';

const LOGIN = `mutation($t: String!, $s: String!) { loginWithSso(idToken: $t, state: $s) { token user { email } activeAccount { id } } }`;
const PASSWORD_LOGIN = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }`;
const CONFIGURE = `mutation($a: ID!, $i: SsoConfigurationInput!) { configureSso(accountId: $a, input: $i) { issuer allowedDomains requireSso } }`;

describe('single sign-on with OIDC (SPEC I8)', () => {
  let stack: TestStack;
  let issuer: Awaited<ReturnType<typeof startIssuer>>;
  let hqAdmin: string;
  const retailSso = (requireSso: boolean) => ({ issuer: issuer.issuer, clientId: 'platform-client', allowedDomains: ['Retail.example'], requireSso });

  beforeAll(async () => {
    stack = await startTestStack({ env: { SSO_ALLOW_HTTP_ISSUERS: 'true' } });
    issuer = await startIssuer();
    hqAdmin = await stack.login(demoUser('hq-admin').email);
    const configured = await stack.graphql(CONFIGURE, { a: demoAccount('north').id, i: retailSso(false) }, hqAdmin);
    if (configured.errors) throw new Error(JSON.stringify(configured.errors));
  });
  afterAll(async () => {
    await issuer.close();
    await stack.close();
  });

  /** beginSsoLogin, then the provider's ID token for it (its nonce), then loginWithSso. */
  const signIn = async (claims: Record<string, unknown>) => {
    const { state, nonce } = await beginSso(stack, String(claims.email));
    return stack.graphql(LOGIN, { t: await issuer.sign({ nonce, ...claims }), s: state });
  };

  it('creates a user from a verified email, then links the same user on the next sign-in', async () => {
    // Act
    const first = await signIn({ email: 'sso.person@retail.example', name: 'Sso Person', sub: 'sso-1' });
    const again = await signIn({ email: 'sso.person@retail.example', sub: 'sso-1' });
    const existing = await signIn({ email: demoUser('north-admin').email, sub: 'sso-2' });
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

  it('refuses a bad signature, a wrong audience, an expired token, a foreign domain, an unverified email and garbage', async () => {
    // Arrange
    const { privateKey: otherKey } = await jose.generateKeyPair('RS256');
    const usersBefore = await countRows(stack, 'identity.users');
    const claims = { email: 'someone@retail.example', sub: 'sso-9' };
    const withState = async (sign: (nonce: string) => Promise<string>) => {
      const { state, nonce } = await beginSso(stack, claims.email);
      return stack.graphql(LOGIN, { t: await sign(nonce), s: state });
    };

    // Act
    const outcomes = await Promise.all([
      withState((nonce) => issuer.sign({ ...claims, nonce }, { key: otherKey })),
      withState((nonce) => issuer.sign({ ...claims, nonce }, { audience: 'another-client' })),
      withState((nonce) => issuer.sign({ ...claims, nonce }, { expiresIn: Math.floor(Date.now() / 1000) - 120 })),
      withState((nonce) => issuer.sign({ email: 'someone@acme.example', sub: 'sso-10', nonce })),
      withState((nonce) => issuer.sign({ ...claims, email_verified: false, nonce })),
      withState(async () => 'not.a.jwt'),
    ]);

    // Assert
    expect(outcomes.map(codeOf)).toEqual(['SSO_TOKEN_INVALID', 'SSO_TOKEN_INVALID', 'SSO_TOKEN_INVALID', 'SSO_DOMAIN_NOT_ALLOWED', 'SSO_TOKEN_INVALID', 'SSO_TOKEN_INVALID']);
    expect(await countRows(stack, 'identity.users')).toBe(usersBefore);
  });

  it('issues the state and nonce itself: the authorization URL carries them, each state signs in once, and a nonce the client chose is refused', async () => {
    // Arrange
    const email = 'state.person@retail.example';
    const sessionsBefore = await countRows(stack, 'identity.sessions');

    // Act
    const one = await beginSso(stack, email);
    const two = await beginSso(stack, email);
    const clientNonce = await stack.graphql(LOGIN, { t: await issuer.sign({ email, sub: 'sso-state', nonce: 'nonce-123456' }), s: one.state });
    const fresh = await beginSso(stack, email);
    const token = await issuer.sign({ email, sub: 'sso-state', nonce: fresh.nonce });
    const otherState = await stack.graphql(LOGIN, { t: token, s: two.state });
    const unknownState = await stack.graphql(LOGIN, { t: token, s: `sso_${'A'.repeat(43)}` });
    const signedIn = await stack.graphql(LOGIN, { t: token, s: fresh.state });
    const sameStateAgain = await stack.graphql(LOGIN, { t: token, s: fresh.state });
    const expiring = await beginSso(stack, email);
    await stack.sql.query(`UPDATE identity.sso_login_states SET expires_at = now() - interval '1 second'`);
    const expired = await stack.graphql(LOGIN, { t: await issuer.sign({ email, sub: 'sso-state', nonce: expiring.nonce }), s: expiring.state });

    // Assert
    expect(`${one.url.origin}${one.url.pathname}`).toBe(`${issuer.issuer}/authorize`);
    expect(Object.fromEntries(one.url.searchParams)).toMatchObject({ client_id: 'platform-client', redirect_uri: 'https://app.example/sso/callback', state: one.state, response_type: 'id_token' });
    expect(one.state).not.toBe(two.state);
    expect(one.nonce).not.toBe(two.nonce);
    expect(one.nonce.length).toBeGreaterThanOrEqual(40);
    expect(codeOf(clientNonce)).toBe('SSO_TOKEN_INVALID');
    expect(clientNonce.errors?.[0].extensions?.reason).toBe('nonce mismatch');
    expect(codeOf(otherState)).toBe('SSO_TOKEN_INVALID');
    expect(codeOf(unknownState)).toBe('SSO_STATE_INVALID');
    expect(signedIn.errors).toBeUndefined();
    expect(codeOf(sameStateAgain)).toBe('SSO_STATE_INVALID');
    expect(codeOf(expired)).toBe('SSO_STATE_INVALID');
    expect(await countRows(stack, 'identity.sessions')).toBe(sessionsBefore + 1);
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM identity.sso_login_states WHERE state_hash = encode(sha256($1::bytea), 'hex')`, [one.state])).rows[0].n).toBe(0);
  });

  it('answers beginSsoLogin alike for a known and an unknown email, and SSO_NOT_CONFIGURED for a domain without SSO', async () => {
    // Act
    const known = await stack.graphql(BEGIN_SSO, { e: demoUser('north-admin').email, r: 'https://app.example/cb' });
    const unknown = await stack.graphql(BEGIN_SSO, { e: 'nobody.here@retail.example', r: 'https://app.example/cb' });
    const noSso = await stack.graphql(BEGIN_SSO, { e: demoUser('accountant').email, r: 'https://app.example/cb' });
    const badRedirect = await stack.graphql(BEGIN_SSO, { e: 'nobody.here@retail.example', r: 'javascript:alert(1)' });

    // Assert
    expect(Object.keys(known.data.beginSsoLogin)).toEqual(Object.keys(unknown.data.beginSsoLogin));
    expect(new URL(known.data.beginSsoLogin.authorizationUrl).searchParams.get('client_id')).toBe('platform-client');
    expect(new URL(unknown.data.beginSsoLogin.authorizationUrl).searchParams.get('client_id')).toBe('platform-client');
    expect(codeOf(noSso)).toBe('SSO_NOT_CONFIGURED');
    expect(codeOf(badRedirect)).toBe('BAD_USER_INPUT');
  });

  it('a tree that requires SSO refuses password sign-in for its domains (logins and invitations), alike for known and unknown emails', async () => {
    // Arrange
    const passwordBefore = await stack.graphql(PASSWORD_LOGIN, { e: demoUser('n1-advanced').email, p: DEMO_PASSWORD });
    const required = await stack.graphql(CONFIGURE, { a: demoAccount('north').id, i: retailSso(true) }, hqAdmin);
    await stack.graphql(`mutation($a: ID!, $e: String!) { inviteUser(accountId: $a, email: $e, role: BASIC_USER) { id } }`, { a: demoAccount('store-n2').id, e: demoUser('n1-advanced').email }, hqAdmin);
    await stack.graphql(`mutation($a: ID!) { inviteUser(accountId: $a, email: "newcomer@retail.example", role: BASIC_USER) { id } }`, { a: demoAccount('store-n2').id }, hqAdmin);
    const existingInvitation = await invitationTokenFor(stack, demoUser('n1-advanced').email);
    const newInvitation = await invitationTokenFor(stack, 'newcomer@retail.example');
    const ACCEPT = `mutation($t: String!, $n: String, $p: String) { acceptInvitation(token: $t, name: $n, password: $p) { user { email } } }`;

    try {
      // Act
      const known = await stack.graphql(PASSWORD_LOGIN, { e: demoUser('n1-advanced').email, p: DEMO_PASSWORD });
      const wrongPassword = await stack.graphql(PASSWORD_LOGIN, { e: demoUser('n1-advanced').email, p: 'not the password' });
      const unknown = await stack.graphql(PASSWORD_LOGIN, { e: 'nobody.here@retail.example', p: DEMO_PASSWORD });
      const otherDomain = await stack.graphql(PASSWORD_LOGIN, { e: demoUser('accountant').email, p: DEMO_PASSWORD });
      const acceptWithPassword = await stack.graphql(ACCEPT, { t: existingInvitation, p: DEMO_PASSWORD });
      const acceptNewLogin = await stack.graphql(ACCEPT, { t: newInvitation, n: 'Newcomer', p: 'a long enough password' });
      const sso = await signIn({ email: demoUser('n1-advanced').email, sub: 'sso-required' });
      const acceptSignedIn = await stack.graphql(ACCEPT, { t: existingInvitation }, sso.data?.loginWithSso.token);

      // Assert
      expect(passwordBefore.errors).toBeUndefined();
      expect(required.data.configureSso.requireSso).toBe(true);
      expect([known, wrongPassword, unknown].map(codeOf)).toEqual(['SSO_REQUIRED', 'SSO_REQUIRED', 'SSO_REQUIRED']);
      expect(known.errors?.[0].message).toBe(unknown.errors?.[0].message);
      expect(otherDomain.errors).toBeUndefined();
      expect(codeOf(acceptWithPassword)).toBe('SSO_REQUIRED');
      expect(codeOf(acceptNewLogin)).toBe('SSO_REQUIRED');
      expect((await stack.sql.query(`SELECT count(*)::int AS n FROM identity.users WHERE email = 'newcomer@retail.example'`)).rows[0].n).toBe(0);
      expect(sso.errors).toBeUndefined();
      expect(acceptSignedIn.data.acceptInvitation.user.email).toBe(demoUser('n1-advanced').email);
    } finally {
      await stack.graphql(CONFIGURE, { a: demoAccount('north').id, i: retailSso(false) }, hqAdmin);
    }
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

import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { codeOf } from '@platform/testing';
import { hashPasswordLegacyScrypt } from '../sessions/passwords';
import { invitationTokenFor } from './helpers';

const LOGIN = `mutation($email: String!, $password: String!, $accountId: ID) {
  login(email: $email, password: $password, accountId: $accountId) { token expiresAt user { email } activeAccount { id name } } }`;

describe('identity core: login, sessions, acting account, members (SPEC I1, I2, I5)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  it('logs in with the demo password; the acting account defaults to the highest membership and its fields resolve', async () => {
    // Act
    const response = await stack.graphql(LOGIN, { email: 'Accountant@Acme.example ', password: 'demo-password' });

    // Assert
    expect(response.errors).toBeUndefined();
    expect(response.data.login.user.email).toBe('accountant@acme.example');
    expect(response.data.login.activeAccount).toEqual({ id: demoAccount('acme').id, name: 'Acme Accounting' });
    expect(response.data.login.token).toMatch(/^ses_[0-9A-Za-z]{40,}$/);
    expect(new Date(response.data.login.expiresAt).getTime()).toBeGreaterThan(Date.now());
  });

  it.each([
    ['a wrong password', { email: 'hq.admin@retail.example', password: 'nope' }, 'UNAUTHENTICATED'],
    ['an unknown email', { email: 'nobody@retail.example', password: 'demo-password' }, 'UNAUTHENTICATED'],
    ['a malformed email', { email: 'not-an-email', password: 'demo-password' }, 'BAD_USER_INPUT'],
    ['an account the user cannot see', { email: 'north.admin@retail.example', password: 'demo-password', accountId: demoAccount('south').id }, 'NOT_FOUND'],
  ])('refuses %s and opens no session', async (_label, variables, code) => {
    const before = await stack.sql.query('SELECT count(*)::int AS n FROM identity.sessions');
    const response = await stack.graphql(LOGIN, variables);
    expect(codeOf(response)).toBe(code);
    expect((await stack.sql.query('SELECT count(*)::int AS n FROM identity.sessions')).rows[0].n).toBe(before.rows[0].n);
  });

  it('stores argon2id PHC hashes (m=19 MiB, t=2, p=1) and replaces an old scrypt hash at the first successful login', async () => {
    // Arrange: n1.advanced still has a hash made before argon2id
    const user = demoUser('n1-advanced');
    const oldHash = await hashPasswordLegacyScrypt('demo-password');
    await stack.sql.query(`UPDATE identity.users SET password_hash = $2 WHERE id = $1`, [user.id, oldHash]);
    const hashOf = async (id: string) => (await stack.sql.query(`SELECT password_hash FROM identity.users WHERE id = $1`, [id])).rows[0].password_hash as string;

    // Act
    const wrong = await stack.graphql(LOGIN, { email: user.email, password: 'not-the-password' });
    const afterWrong = await hashOf(user.id);
    const right = await stack.graphql(LOGIN, { email: user.email, password: 'demo-password' });
    const rehashed = await hashOf(user.id);
    const again = await stack.graphql(LOGIN, { email: user.email, password: 'demo-password' });

    // Assert
    expect(oldHash).toMatch(/^scrypt\$/);
    expect(codeOf(wrong)).toBe('UNAUTHENTICATED');
    expect(afterWrong).toBe(oldHash);
    expect(right.errors).toBeUndefined();
    expect(rehashed).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(again.errors).toBeUndefined();
    expect(await hashOf(user.id)).toBe(rehashed);
    expect(await hashOf(demoUser('hq-admin').id)).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('stores only the hash of the session token', async () => {
    const token = await stack.login('hq.admin@retail.example');
    const rows = await stack.sql.query(`SELECT count(*)::int AS n FROM identity.sessions WHERE token_hash = $1 OR token_hash LIKE '%' || $1 || '%'`, [token]);
    const hashes = await stack.sql.query(`SELECT token_hash FROM identity.sessions`);
    expect(rows.rows[0].n).toBe(0);
    expect(hashes.rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
  });

  it('me shows the user, the acting account and the access list across trees', async () => {
    const token = await stack.login('accountant@acme.example', { accountId: demoAccount('store-s1').id });
    const response = await stack.graphql(`{ me { user { email } activeAccount { name } memberships { role status account { id name } } } }`, {}, token);
    expect(response.data.me).toEqual({
      user: { email: 'accountant@acme.example' },
      activeAccount: { name: 'Store S1' },
      memberships: [
        { role: 'ADMIN', status: 'ACTIVE', account: { id: demoAccount('acme').id, name: 'Acme Accounting' } },
        { role: 'ADVANCED_USER', status: 'ACTIVE', account: { id: demoAccount('store-s1').id, name: 'Store S1' } },
      ],
    });
  });

  it('switchAccount moves the acting account across trees, rotates the token, and refuses invisible accounts', async () => {
    // Arrange
    const token = await stack.login('accountant@acme.example');
    const SWITCH = `mutation($id: ID!) { switchAccount(accountId: $id) { token activeAccount { name } } }`;

    // Act
    const refused = await stack.graphql(SWITCH, { id: demoAccount('store-s2').id }, token);
    const switched = await stack.graphql(SWITCH, { id: demoAccount('store-s1').id }, token);
    const oldTokenAfter = await stack.graphql(`{ me { user { email } } }`, {}, token);
    const tree = await stack.graphql(`{ accountTree { name } }`, {}, switched.data.switchAccount.token);

    // Assert
    expect(codeOf(refused)).toBe('NOT_FOUND');
    expect(switched.data.switchAccount.activeAccount).toEqual({ name: 'Store S1' });
    expect(oldTokenAfter.status).toBe(401);
    expect(tree.data.accountTree.map((a: { name: string }) => a.name)).toEqual(['Store S1', 'Marketing', 'Rostering', 'Sales Support']);
  });

  it('logout ends the session', async () => {
    const token = await stack.login('north.admin@retail.example');
    const logout = await stack.graphql(`mutation { logout }`, {}, token);
    const after = await stack.graphql(`{ me { user { email } } }`, {}, token);
    expect(logout.data.logout).toBe(true);
    expect(after.status).toBe(401);
    expect(codeOf(after)).toBe('UNAUTHENTICATED');
  });

  it('me without a session is UNAUTHENTICATED', async () => {
    const response = await stack.graphql(`{ me { user { email } } }`);
    expect(codeOf(response)).toBe('UNAUTHENTICATED');
  });

  it('an admin adds an existing user to a sub-account; removing them keeps the account\'s data', async () => {
    // Arrange
    const northAdmin = await stack.login('north.admin@retail.example');
    const storeN2 = demoAccount('store-n2').id;
    const ADD = `mutation($a: ID!, $e: String!, $r: Role!) { addAccountMember(accountId: $a, email: $e, role: $r) { membership { role account { id } user { email } } invitation { email status } } }`;
    const messagesBefore = await stack.sql.query('SELECT count(*)::int AS n FROM messaging.messages');

    // Act
    const added = await stack.graphql(ADD, { a: storeN2, e: 'n1.marketing@retail.example', r: 'ADVANCED_USER' }, northAdmin);
    const duplicate = await stack.graphql(ADD, { a: storeN2, e: 'n1.marketing@retail.example', r: 'BASIC_USER' }, northAdmin);
    const unknown = await stack.graphql(ADD, { a: storeN2, e: 'ghost@retail.example', r: 'BASIC_USER' }, northAdmin);
    const invisible = await stack.graphql(ADD, { a: demoAccount('south').id, e: 'n1.marketing@retail.example', r: 'BASIC_USER' }, northAdmin);
    const memberToken = await stack.login('n1.marketing@retail.example', { accountId: storeN2 });
    const members = await stack.graphql(`query($id: ID!) { account(id: $id) { members { nodes { role user { email } } } } }`, { id: storeN2 }, northAdmin);
    const removed = await stack.graphql(
      `mutation($a: ID!, $u: ID!) { removeAccountMember(accountId: $a, userId: $u) }`,
      { a: storeN2, u: demoUser('n1-marketing').id },
      northAdmin,
    );
    const afterRemoval = await stack.graphql(`query($id: ID!) { account(id: $id) { id } }`, { id: storeN2 }, memberToken);

    // Assert
    expect(added.data.addAccountMember).toEqual({ membership: { role: 'ADVANCED_USER', account: { id: storeN2 }, user: { email: 'n1.marketing@retail.example' } }, invitation: null });
    expect(codeOf(duplicate)).toBe('ALREADY_EXISTS');
    expect(unknown.data.addAccountMember).toEqual({ membership: null, invitation: { email: 'ghost@retail.example', status: 'SENT' } });
    expect(codeOf(invisible)).toBe('NOT_FOUND');
    expect(members.data.account.members.nodes).toEqual([{ role: 'ADVANCED_USER', user: { email: 'n1.marketing@retail.example' } }]);
    expect(removed.data.removeAccountMember).toBe(true);
    expect(codeOf(afterRemoval)).toBe('NOT_FOUND');
    expect((await stack.sql.query('SELECT count(*)::int AS n FROM messaging.messages')).rows[0].n).toBe(messagesBefore.rows[0].n);
  });

  it("adding another tree's login invites it instead (answered like an unknown email), and its default account stays in its home tree", async () => {
    // Arrange: the admin of Acme (another tree) targets a basic user of Retail Chain's Store N1 Marketing
    const accountant = await stack.login('accountant@acme.example');
    const victim = demoUser('n1-marketing');
    const ADD = `mutation($a: ID!, $e: String!) { addAccountMember(accountId: $a, email: $e, role: ADMIN) { membership { id } invitation { email role status } } }`;
    const membershipsBefore = (await stack.sql.query(`SELECT count(*)::int AS n FROM identity.memberships WHERE user_id = $1`, [victim.id])).rows[0].n;

    // Act
    const existing = await stack.graphql(ADD, { a: demoAccount('acme').id, e: victim.email }, accountant);
    const unknown = await stack.graphql(ADD, { a: demoAccount('acme').id, e: 'no.login.yet@retail.example' }, accountant);
    const nextLogin = await stack.graphql(LOGIN, { email: victim.email, password: 'demo-password' });
    const victimSession = nextLogin.data.login.token as string;
    const mailed = await stack.sql.query(`SELECT count(*)::int AS n FROM identity.mail_outbox WHERE recipient = $1`, [victim.email]);
    const { rows: tokens } = await stack.sql.query(`SELECT id FROM identity.invitations WHERE email = $1 AND status = 'SENT'`, [victim.email]);

    // Assert
    expect(existing.errors).toBeUndefined();
    expect(existing.data.addAccountMember).toEqual({ membership: null, invitation: { email: victim.email, role: 'ADMIN', status: 'SENT' } });
    expect(unknown.data.addAccountMember).toEqual({ membership: null, invitation: { email: 'no.login.yet@retail.example', role: 'ADMIN', status: 'SENT' } });
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM identity.memberships WHERE user_id = $1`, [victim.id])).rows[0].n).toBe(membershipsBefore);
    expect(nextLogin.data.login.activeAccount.id).toBe(demoAccount('store-n1-marketing').id);
    expect(mailed.rows[0].n).toBe(1);
    expect(tokens).toHaveLength(1);
    expect(victimSession).toMatch(/^ses_/);
  });

  it('a guest membership the user accepted never becomes their default acting account', async () => {
    // Arrange
    const accountant = await stack.login('accountant@acme.example');
    const guest = demoUser('n1-advanced');
    await stack.graphql(`mutation($a: ID!, $e: String!) { inviteUser(accountId: $a, email: $e, role: BASIC_USER) { id } }`, { a: demoAccount('acme').id, e: guest.email }, accountant);
    const token = await invitationTokenFor(stack, guest.email);
    const accepted = await stack.graphql(`mutation($t: String!) { acceptInvitation(token: $t) { activeAccount { id } } }`, { t: token }, await stack.login(guest.email));

    // Act
    const nextLogin = await stack.graphql(LOGIN, { email: guest.email, password: 'demo-password' });

    // Assert
    expect(accepted.data.acceptInvitation.activeAccount.id).toBe(demoAccount('acme').id);
    expect(nextLogin.data.login.activeAccount.id).toBe(demoAccount('store-n1').id);
  });

  it('nobody gives a role above their own, and a basic user cannot add members', async () => {
    const advanced = await stack.login('n1.advanced@retail.example');
    const response = await stack.graphql(
      `mutation($a: ID!) { addAccountMember(accountId: $a, email: "north.admin@retail.example", role: ADMIN) { membership { role } } }`,
      { a: demoAccount('store-n1').id },
      advanced,
    );
    expect(codeOf(response)).toBe('FORBIDDEN');
  });

  it('the last admin of a parent account cannot be removed', async () => {
    const hqAdmin = await stack.login('hq.admin@retail.example');
    const response = await stack.graphql(
      `mutation($a: ID!, $u: ID!) { removeAccountMember(accountId: $a, userId: $u) }`,
      { a: demoAccount('hq').id, u: demoUser('hq-admin').id },
      hqAdmin,
    );
    expect(codeOf(response)).toBe('INVALID_STATE');
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM identity.memberships WHERE user_id = $1`, [demoUser('hq-admin').id])).rows[0].n).toBe(1);
  });
});

import crypto from 'node:crypto';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { codeOf } from '../../__tests__/helpers';

const SET_LIMITS = `mutation($id: ID!, $limits: MembershipLimitsInput!) {
  setMembershipLimits(membershipId: $id, limits: $limits) { limits { allSenderIds allowedSenderIds contactAccess contactGroups { groupId access } } } }`;
const SET_PERMISSIONS = `mutation($id: ID!, $granted: [String!]!, $revoked: [String!]!) { setMembershipPermissions(membershipId: $id, granted: $granted, revoked: $revoked) { revokedPermissions } }`;
const LIFTED = { allSenderIds: true, contactAccess: 'ALL' };

describe('nobody changes their own limits: only strictly more authority on the account (SPEC I6)', () => {
  let stack: TestStack;
  let hqAdmin: string;
  const group = crypto.randomUUID();
  const sender = crypto.randomUUID();
  const RESTRICTED = { allSenderIds: false, allowedSenderIds: [sender], contactAccess: 'SELECTED', contactGroups: [{ groupId: group, access: 'RESTRICTED' }] };

  const membershipOf = async (user: Parameters<typeof demoUser>[0], account: Parameters<typeof demoAccount>[0]) =>
    (await stack.sql.query(`SELECT id FROM identity.memberships WHERE user_id = $1 AND account_id = $2`, [demoUser(user).id, demoAccount(account).id])).rows[0].id as string;
  const storedLimits = async (id: string) =>
    (await stack.sql.query(`SELECT allowed_sender_ids, contact_access, contact_groups, revoked_permissions FROM identity.memberships WHERE id = $1`, [id])).rows[0];

  beforeAll(async () => {
    stack = await startTestStack();
    hqAdmin = await stack.login(demoUser('hq-admin').email);
  });
  afterAll(() => stack.close());

  it('a restricted admin cannot lift their own contact, sender-ID or permission restrictions; an admin of an ancestor can', async () => {
    // Arrange: HQ's admin restricts North's admin
    const own = await membershipOf('north-admin', 'north');
    const restricted = await stack.graphql(SET_LIMITS, { id: own, limits: RESTRICTED }, hqAdmin);
    await stack.graphql(SET_PERMISSIONS, { id: own, granted: [], revoked: ['contacts'] }, hqAdmin);
    const northAdmin = await stack.login(demoUser('north-admin').email);
    const before = await storedLimits(own);

    // Act
    const liftLimits = await stack.graphql(SET_LIMITS, { id: own, limits: LIFTED }, northAdmin);
    const liftSenders = await stack.graphql(SET_LIMITS, { id: own, limits: { ...RESTRICTED, allSenderIds: true, allowedSenderIds: null } }, northAdmin);
    const liftRevocation = await stack.graphql(SET_PERMISSIONS, { id: own, granted: [], revoked: [] }, northAdmin);
    const afterRefusals = await storedLimits(own);
    const byAncestorAdmin = await stack.graphql(SET_LIMITS, { id: own, limits: LIFTED }, hqAdmin);

    // Assert
    expect(restricted.errors).toBeUndefined();
    expect([liftLimits, liftSenders, liftRevocation].map(codeOf)).toEqual(['AUTHORITY_REQUIRED', 'AUTHORITY_REQUIRED', 'AUTHORITY_REQUIRED']);
    expect(before).toMatchObject({ allowed_sender_ids: [sender], contact_access: 'SELECTED', revoked_permissions: ['contacts'] });
    expect(afterRefusals).toEqual(before);
    expect(byAncestorAdmin.data.setMembershipLimits.limits).toEqual({ allSenderIds: true, allowedSenderIds: [], contactAccess: 'ALL', contactGroups: [] });
  });

  it("a peer (the same role on the same account) cannot change another's limits; a higher role on the account or an ancestor's admin can", async () => {
    // Arrange: a second admin of North, and a basic user of North
    const peer = demoUser('n1-advanced');
    const basic = demoUser('n1-marketing');
    for (const [user, role] of [[peer, 'ADMIN'], [basic, 'BASIC_USER']] as const) {
      const added = await stack.graphql(`mutation($a: ID!, $e: String!, $r: Role!) { addAccountMember(accountId: $a, email: $e, role: $r) { membership { id } } }`, { a: demoAccount('north').id, e: user.email, r: role }, hqAdmin);
      if (!added.data?.addAccountMember.membership) throw new Error(JSON.stringify(added));
    }
    const northAdminMembership = await membershipOf('north-admin', 'north');
    const basicInNorth = (await stack.sql.query(`SELECT id FROM identity.memberships WHERE user_id = $1 AND account_id = $2`, [basic.id, demoAccount('north').id])).rows[0].id;
    const peerSession = await stack.login(peer.email, { accountId: demoAccount('north').id });
    const northAdmin = await stack.login(demoUser('north-admin').email);
    const before = await storedLimits(northAdminMembership);

    // Act
    const byPeer = await stack.graphql(SET_LIMITS, { id: northAdminMembership, limits: RESTRICTED }, peerSession);
    const byHigherRole = await stack.graphql(SET_LIMITS, { id: basicInNorth, limits: RESTRICTED }, northAdmin);
    const onDescendant = await stack.graphql(SET_LIMITS, { id: await membershipOf('n1-marketing', 'store-n1-marketing'), limits: RESTRICTED }, northAdmin);
    const peerOnDescendant = await stack.graphql(SET_LIMITS, { id: await membershipOf('n1-advanced', 'store-n1'), limits: RESTRICTED }, northAdmin);

    // Assert
    expect(codeOf(byPeer)).toBe('AUTHORITY_REQUIRED');
    expect(await storedLimits(northAdminMembership)).toEqual(before);
    expect(byHigherRole.errors).toBeUndefined();
    expect(byHigherRole.data.setMembershipLimits.limits.contactAccess).toBe('SELECTED');
    expect(onDescendant.errors).toBeUndefined();
    // The peer's North membership reaches Store N1 too: on that chain nobody here outranks them.
    expect(codeOf(peerOnDescendant)).toBe('AUTHORITY_REQUIRED');
  });
  it('nobody sets their own credit limit, nor a peer\'s; an admin of an ancestor sets it', async () => {
    // Arrange: North's admin is granted billing on North by HQ's admin
    const SET_CREDIT = `mutation($a: ID!, $u: ID!, $l: Int) { setUserCreditLimit(accountId: $a, userId: $u, limit: $l) { limit } }`;
    await stack.graphql(SET_PERMISSIONS, { id: await membershipOf('north-admin', 'north'), granted: ['billing'], revoked: [] }, hqAdmin);
    const northAdmin = await stack.login(demoUser('north-admin').email);
    const limitRows = () => stack.sql.query(`SELECT user_id, credit_limit FROM billing.user_limits ORDER BY user_id`).then((r) => r.rows);
    const before = await limitRows();

    // Act
    const ownByNorth = await stack.graphql(SET_CREDIT, { a: demoAccount('north').id, u: demoUser('north-admin').id, l: 1_000_000 }, northAdmin);
    const ownByHq = await stack.graphql(SET_CREDIT, { a: demoAccount('hq').id, u: demoUser('hq-admin').id, l: 1_000_000 }, hqAdmin);
    const unchanged = await limitRows();
    const byAncestor = await stack.graphql(SET_CREDIT, { a: demoAccount('north').id, u: demoUser('north-admin').id, l: 500 }, hqAdmin);

    // Assert
    expect([codeOf(ownByNorth), codeOf(ownByHq)]).toEqual(['AUTHORITY_REQUIRED', 'AUTHORITY_REQUIRED']);
    expect(unchanged).toEqual(before);
    expect(byAncestor.data?.setUserCreditLimit).toEqual({ limit: 500 });
  });
});

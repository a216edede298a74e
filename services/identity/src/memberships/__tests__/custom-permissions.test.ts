import { PERMISSIONS } from '@platform/authz';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { codeOf } from '../../__tests__/helpers';

const SET = `mutation($id: ID!, $granted: [String!]!, $revoked: [String!]!) {
  setMembershipPermissions(membershipId: $id, granted: $granted, revoked: $revoked) { effectivePermissions }
}`;
const PERMISSIONS_ON = `query($id: ID!) { me { permissionsOn(accountId: $id) } }`;

describe('custom permissions per membership (SPEC I3)', () => {
  let stack: TestStack;
  let hqAdmin: string;
  const membershipOf = async (userKey: string) =>
    (await stack.sql.query(`SELECT id FROM identity.memberships WHERE user_id = $1`, [demoUser(userKey).id])).rows[0].id as string;

  beforeAll(async () => {
    stack = await startTestStack();
    hqAdmin = await stack.login(demoUser('hq-admin').email);
  });
  afterAll(() => stack.close());

  const grantable = PERMISSIONS.filter((p) => p !== 'account.view');

  it.each(grantable)('granting and revoking %s changes what the shared authz module allows, on the subtree only', async (permission) => {
    // Arrange: a basic user of Store N1 Marketing, and the admin of North Region
    const basic = await membershipOf('n1-marketing');
    const northAdmin = await membershipOf('north-admin');
    const basicToken = await stack.login(demoUser('n1-marketing').email);
    const adminToken = await stack.login(demoUser('north-admin').email);
    const dept = demoAccount('store-n1-marketing').id;

    // Act
    const granted = await stack.graphql(SET, { id: basic, granted: [permission], revoked: [] }, hqAdmin);
    const onDept = await stack.graphql(PERMISSIONS_ON, { id: dept }, basicToken);
    const onStore = await stack.graphql(PERMISSIONS_ON, { id: demoAccount('store-n1').id }, basicToken);
    const revoked = await stack.graphql(SET, { id: northAdmin, granted: [], revoked: [permission] }, hqAdmin);
    const adminOnStore = await stack.graphql(PERMISSIONS_ON, { id: demoAccount('store-n1').id }, adminToken);
    await stack.graphql(SET, { id: basic, granted: [], revoked: [] }, hqAdmin);
    await stack.graphql(SET, { id: northAdmin, granted: [], revoked: [] }, hqAdmin);
    const afterReset = await stack.graphql(PERMISSIONS_ON, { id: dept }, basicToken);

    // Assert
    expect(granted.data.setMembershipPermissions.effectivePermissions).toContain(permission);
    expect(onDept.data.me.permissionsOn).toContain(permission);
    expect(onStore.data.me.permissionsOn).toEqual([]);
    expect(revoked.data.setMembershipPermissions.effectivePermissions).not.toContain(permission);
    expect(adminOnStore.data.me.permissionsOn).not.toContain(permission);
    expect(adminOnStore.data.me.permissionsOn).toContain('account.view');
    expect(afterReset.data.me.permissionsOn.includes(permission)).toBe(['account.view', 'messages.send', 'inbox.own', 'reports.own'].includes(permission));
  });

  it('grants and revocations change what the endpoints of every subgraph allow', async () => {
    // Arrange
    const basic = await membershipOf('n1-marketing');
    const northAdmin = await membershipOf('north-admin');
    const basicToken = await stack.login(demoUser('n1-marketing').email);
    const adminToken = await stack.login(demoUser('north-admin').email);
    const dept = demoAccount('store-n1-marketing').id;
    const settings = (token: string) => stack.graphql(`mutation($id: ID!) { updateAccountSettings(id: $id, input: { trackableLinks: true }) { id } }`, { id: dept }, token);
    const createChild = (token: string) => stack.graphql(`mutation($id: ID!) { createSubAccount(input: { parentId: $id, name: "Granted" }) { id } }`, { id: demoAccount('store-n1').id }, token);

    // Act
    const settingsBefore = await settings(basicToken);
    await stack.graphql(SET, { id: basic, granted: ['system-configuration'], revoked: [] }, hqAdmin);
    const settingsAfter = await settings(basicToken);
    const childBefore = await createChild(adminToken);
    await stack.graphql(SET, { id: northAdmin, granted: [], revoked: ['sub-accounts'] }, hqAdmin);
    const childAfter = await createChild(adminToken);
    const escalation = await stack.graphql(SET, { id: basic, granted: ['billing'], revoked: [] }, adminToken);
    const unknown = await stack.graphql(SET, { id: basic, granted: ['root'], revoked: [] }, hqAdmin);
    const foreign = await stack.graphql(SET, { id: await membershipOf('hq-admin'), granted: [], revoked: ['users'] }, adminToken);

    // Assert
    expect(codeOf(settingsBefore)).toBe('FORBIDDEN');
    expect(settingsAfter.errors).toBeUndefined();
    expect(childBefore.errors).toBeUndefined();
    expect(codeOf(childAfter)).toBe('FORBIDDEN');
    expect(codeOf(escalation)).toBe('PERMISSION_ESCALATION');
    expect(codeOf(unknown)).toBe('BAD_USER_INPUT');
    expect(codeOf(foreign)).toBe('NOT_FOUND');
  });
});

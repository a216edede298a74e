import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { expectError, expectNoErrors, typedDocument } from '@platform/testing';

const INVITE = typedDocument<{ inviteUser: { id: string } }, { accountId: string; email: string; role: string }>(
  `mutation($accountId: ID!, $email: String!, $role: Role!) { inviteUser(accountId: $accountId, email: $email, role: $role) { id } }`,
);
type OpenInvitation = { id: string; accountId: string; accountName: string; inviterName: string; role: string; status: string };
const MY_INVITATIONS = typedDocument<{ me: { invitations: OpenInvitation[]; memberships: { accountId: string; type: string }[] } }>(
  `{ me { invitations { id accountId accountName inviterName role status } memberships { accountId type } } }`,
);
const ACCEPT_MINE = typedDocument<{ acceptMyInvitation: { token: string; activeAccount: { id: string } } }, { id: string }>(
  `mutation($id: ID!) { acceptMyInvitation(invitationId: $id) { token activeAccount { id } } }`,
);
const DECLINE_MINE = typedDocument<{ declineMyInvitation: { status: string } }, { id: string }>(`mutation($id: ID!) { declineMyInvitation(invitationId: $id) { status } }`);

/**
 * SPEC I4 self-service (seed 003): a user signed in to their own tree sees the invitations
 * addressed to their email, named as the mail names them, and accepts or declines them there;
 * nobody else can answer them.
 */
describe("a user's own invitations (me.invitations)", () => {
  let stack: TestStack;
  let hqAdmin: string;
  let accountant: string;
  const guestEmail = demoUser('accountant').email;

  beforeAll(async () => {
    stack = await startTestStack();
    hqAdmin = await stack.login(demoUser('hq-admin').email);
    accountant = await stack.login(guestEmail);
  });
  afterAll(() => stack.close());

  it('lists an open invitation with the account and the inviter, and accepting it makes the user a guest there', async () => {
    // Arrange
    const store = demoAccount('store-n1');
    const { inviteUser } = expectNoErrors(await stack.graphql(INVITE, { accountId: store.id, email: guestEmail.toUpperCase(), role: 'BASIC_USER' }, hqAdmin));

    // Act
    const before = expectNoErrors(await stack.graphql(MY_INVITATIONS, {}, accountant)).me;
    const accepted = expectNoErrors(await stack.graphql(ACCEPT_MINE, { id: inviteUser.id }, accountant)).acceptMyInvitation;
    const after = expectNoErrors(await stack.graphql(MY_INVITATIONS, {}, accountant)).me;

    // Assert
    expect(before.invitations).toEqual([
      { id: inviteUser.id, accountId: store.id, accountName: store.name, inviterName: demoUser('hq-admin').name, role: 'BASIC_USER', status: 'SENT' },
    ]);
    expect(accepted.activeAccount.id).toBe(store.id);
    expect(after.invitations).toEqual([]);
    expect(after.memberships).toContainEqual({ accountId: store.id, type: 'GUEST' });
  });

  it("another user's invitation answers NOT_FOUND and stays open; declining one's own closes it", async () => {
    // Arrange
    const north = demoAccount('north');
    const { inviteUser } = expectNoErrors(await stack.graphql(INVITE, { accountId: north.id, email: guestEmail, role: 'ADVANCED_USER' }, hqAdmin));
    const intruder = await stack.login(demoUser('n1-advanced').email);

    // Act
    const declinedByIntruder = await stack.graphql(DECLINE_MINE, { id: inviteUser.id }, intruder);
    const acceptedByIntruder = await stack.graphql(ACCEPT_MINE, { id: inviteUser.id }, intruder);
    const stillOpen = expectNoErrors(await stack.graphql(MY_INVITATIONS, {}, accountant)).me.invitations.map((i) => i.id);
    const declined = expectNoErrors(await stack.graphql(DECLINE_MINE, { id: inviteUser.id }, accountant)).declineMyInvitation;
    const acceptedAfterDecline = await stack.graphql(ACCEPT_MINE, { id: inviteUser.id }, accountant);
    const unknown = await stack.graphql(DECLINE_MINE, { id: '00000000-0000-4000-8000-000000000000' }, accountant);

    // Assert
    expectError(declinedByIntruder, 'NOT_FOUND');
    expectError(acceptedByIntruder, 'NOT_FOUND');
    expect(declinedByIntruder.errors![0].message).toBe(unknown.errors![0].message);
    expect(stillOpen).toEqual([inviteUser.id]);
    expect(declined.status).toBe('DECLINED');
    expectError(acceptedAfterDecline, 'TOKEN_ALREADY_USED');
    expectError(unknown, 'NOT_FOUND');
  });

  it('without a user session there is nothing to answer', async () => {
    // Act
    const response = await stack.graphql(ACCEPT_MINE, { id: '00000000-0000-4000-8000-000000000000' });

    // Assert
    expectError(response, 'UNAUTHENTICATED');
  });
});

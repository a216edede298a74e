import { allow, canOnAccount, isOperatorWith, isUser } from '@platform/authz';

export const permissions = {
  Mutation: {
    addAccountMember: canOnAccount('users', (_parent, args) => args.accountId),
    // Checked on the invitation's account in the service (the id must be loaded first).
    inviteUser: isUser,
    inviteCustomerAdmin: isOperatorWith('customers.manage'),
    revokeInvitation: isUser,
    // The token is the credential of these two.
    acceptInvitation: allow,
    declineInvitation: allow,
    acceptMyInvitation: isUser,
    declineMyInvitation: isUser,
  },

  Account: {
    invitations: canOnAccount('users.view', (parent) => parent.id),
  },
  Invitation: allow,
  InvitationConnection: allow,
  InvitationEdge: allow,
  AddAccountMemberPayload: allow,
};

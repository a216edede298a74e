import { allow, canOnAccount, isAuthenticated, isUser } from '@platform/authz';

// Mutations addressed by a membership id check the account of that membership in their service
// (the id must be loaded first); shield only requires a user there.
export const permissions = {
  Query: {
    permissionCatalogue: isAuthenticated,
  },
  Mutation: {
    removeAccountMember: canOnAccount('users', (_parent, args) => args.accountId),
    setMembershipPermissions: isUser,
    deactivateMembership: isUser,
    reactivateMembership: isUser,
    setMembershipLimits: isUser,
  },
  Account: {
    members: canOnAccount('users.view', (parent) => parent.id),
  },
  // Reached only from guarded fields, the caller's own access list, or a mutation's answer.
  Membership: allow,
  MembershipConnection: allow,
  MembershipEdge: allow,
  MembershipLimits: allow,
  ContactGroupGrant: allow,
};

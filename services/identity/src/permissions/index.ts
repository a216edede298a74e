import { allow, canOnAccount, isAuthenticated, isUser, rule } from '@platform/authz';
import { errors } from '@platform/errors';
import type { IdentityContext } from '../context';
import type { UserRow } from '../repositories/identity-repository';

/** A user profile is visible to the user and to whoever may view users on one of its accounts. */
const canViewUser = rule({ cache: 'no_cache' })(async (user: UserRow, _args, ctx: IdentityContext) => {
  if (ctx.selfUserIds.has(user.id)) return true;
  const memberships = await ctx.loaders.membershipsByUserId.load(user.id);
  for (const membership of memberships) {
    if (await ctx.access.can(membership.account_id, 'users.view')) return true;
  }
  return errors.notFound('User');
});

const onAccountArg = (permission: Parameters<typeof canOnAccount>[0]) => canOnAccount(permission, (_parent, args) => args.accountId);
const onParentAccount = (permission: Parameters<typeof canOnAccount>[0]) => canOnAccount(permission, (parent) => parent.id);

// Mutations addressed by a membership, invitation, key or app id check the account of that
// object in their service (the id must be loaded first); shield only requires a user there.
export const permissions = {
  Query: {
    me: isUser,
    permissionCatalogue: isAuthenticated,
    activityLog: onAccountArg('security'),
    verifyActivityLog: onAccountArg('security'),
  },
  Mutation: {
    login: allow,
    switchAccount: isUser,
    logout: isUser,
    addAccountMember: onAccountArg('users'),
    removeAccountMember: onAccountArg('users'),
    setMembershipPermissions: isUser,
    deactivateMembership: isUser,
    reactivateMembership: isUser,
    setMembershipLimits: isUser,
    inviteUser: isUser,
    revokeInvitation: isUser,
    // The token is the credential of these two.
    acceptInvitation: allow,
    declineInvitation: allow,
    createApiKey: isUser,
    revokeApiKey: isUser,
    registerPartnerApp: isUser,
    uploadPartnerManifest: isUser,
    retirePartnerManifest: isUser,
    configureSso: isUser,
    beginSsoLogin: allow,
    loginWithSso: allow,
  },
  Account: {
    id: allow,
    members: onParentAccount('users.view'),
    invitations: onParentAccount('users.view'),
    apiKeys: onParentAccount('api-keys'),
    partnerApps: onParentAccount('api-keys'),
    ssoConfiguration: onParentAccount('security'),
  },
  User: canViewUser,
  // Reached only from guarded fields, the caller's own access list, or a mutation's answer.
  Membership: allow,
  MembershipLimits: allow,
  ContactGroupGrant: allow,
  Viewer: allow,
  AuthPayload: allow,
  Invitation: allow,
  ApiKey: allow,
  CreatedApiKey: allow,
  PartnerApp: allow,
  PartnerManifest: allow,
  SsoConfiguration: allow,
  SsoLoginStart: allow,
  AddAccountMemberPayload: allow,
  ActivityLogEntry: allow,
  ActivityLogPage: allow,
  ActivityLogProblem: allow,
  ActivityLogVerification: allow,
};

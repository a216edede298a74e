import { effectivePermissions, PERMISSIONS } from '@platform/authz';
import type { IdentityContext } from '../context';
import { MembershipService, type MembershipLimitsInput } from './service';
import type { MembershipRow } from './store';

const Membership = {
  account: (membership: MembershipRow) => ({ __typename: 'Account', id: membership.account_id }),
  accountId: (membership: MembershipRow) => membership.account_id,
  user: (membership: MembershipRow, _args: unknown, ctx: IdentityContext) => ctx.loaders.userById.load(membership.user_id),
  userId: (membership: MembershipRow) => membership.user_id,
  createdAt: (membership: MembershipRow) => membership.created_at.toISOString(),
  grantedPermissions: (membership: MembershipRow) => membership.granted_permissions,
  revokedPermissions: (membership: MembershipRow) => membership.revoked_permissions,
  effectivePermissions: async (membership: MembershipRow, _args: unknown, ctx: IdentityContext) => {
    const chain = await ctx.access.chains.load(membership.account_id);
    return [...effectivePermissions(membership.role, chain?.depth ?? 0, membership.granted_permissions, membership.revoked_permissions)].sort();
  },
  /** GUEST when the user's first (home) membership is in another tree (SPEC I4, I5). */
  type: async (membership: MembershipRow, _args: unknown, ctx: IdentityContext) => {
    const home = (await ctx.loaders.membershipsByUserId.load(membership.user_id))[0];
    if (!home || home.account_id === membership.account_id) return 'MEMBER';
    const [homeChain, chain] = await Promise.all([ctx.access.chains.load(home.account_id), ctx.access.chains.load(membership.account_id)]);
    return homeChain && chain && homeChain.rootId !== chain.rootId ? 'GUEST' : 'MEMBER';
  },
  limits: (membership: MembershipRow) => ({
    allSenderIds: membership.allowed_sender_ids === null,
    allowedSenderIds: membership.allowed_sender_ids ?? [],
    contactAccess: membership.contact_access,
    contactGroups: membership.contact_groups,
  }),
};

export const resolvers = {
  Query: {
    permissionCatalogue: () => [...PERMISSIONS],
  },
  Mutation: {
    removeAccountMember: (_root: unknown, args: { accountId: string; userId: string }, ctx: IdentityContext) =>
      new MembershipService(ctx).removeMember(args.accountId, args.userId),
    setMembershipPermissions: (_root: unknown, args: { membershipId: string; granted: string[]; revoked: string[] }, ctx: IdentityContext) =>
      new MembershipService(ctx).setPermissions(args.membershipId, args.granted, args.revoked),
    deactivateMembership: (_root: unknown, args: { membershipId: string }, ctx: IdentityContext) => new MembershipService(ctx).setStatus(args.membershipId, 'INACTIVE'),
    reactivateMembership: (_root: unknown, args: { membershipId: string }, ctx: IdentityContext) => new MembershipService(ctx).setStatus(args.membershipId, 'ACTIVE'),
    setMembershipLimits: (_root: unknown, args: { membershipId: string; limits: MembershipLimitsInput }, ctx: IdentityContext) =>
      new MembershipService(ctx).setLimits(args.membershipId, args.limits),
  },
  Account: {
    members: (account: { id: string }, _args: unknown, ctx: IdentityContext) => ctx.loaders.membershipsByAccountId.load(account.id),
  },
  Viewer: {
    memberships: (viewer: { user: { id: string } }, _args: unknown, ctx: IdentityContext) => ctx.memberships.findAccessList(viewer.user.id),
  },
  Membership,
};
